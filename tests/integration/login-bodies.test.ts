/**
 * Login bodies, over a real server on 127.0.0.1: a password that is not a
 * string, or a body that cannot be read, is a 400 with a reason (it was a 401
 * for a number or an array, and a 500 for an object or a malformed multipart
 * body), and is not counted as a guess.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { login, postLogin, serveLogin, type LoginServer } from '../helpers/login-server.ts';

const PASSWORD = 'the owner knows this one';
let ch: ClickHouse;
let server: LoginServer;

beforeAll(async () => {
  ch = await freshClickHouse({ migrate: false });
  server = await serveLogin(ch, await hashPassword(PASSWORD));
});
afterAll(async () => {
  server.close();
  await ch.close();
});

describe('login bodies', () => {
  it('answer a password that is not a string, or a body that cannot be read, with 400 and a reason, not counted as a guess', async () => {
    const { base } = server;
    const boundary = 'xYzBoundary';
    const cases: [string, string, string, string][] = [
      ['a number', '{"password": 1}', 'application/json', 'invalid_password'],
      ['an array', '{"password": ["a", "b"]}', 'application/json', 'invalid_password'],
      ['an object', '{"password": {"toString": "x"}}', 'application/json', 'invalid_password'],
      ['null', '{"password": null}', 'application/json', 'invalid_password'],
      ['a body that is an array', '["password"]', 'application/json', 'invalid_password'],
      ['no password at all', '{}', 'application/json', 'invalid_password'],
      ['JSON cut short', '{"password": "ab', 'application/json', 'invalid_json'],
      [
        'multipart without its boundary',
        `--${boundary}\r\ncontent-disposition: form-data; name="password"\r\n\r\nx\r\n--${boundary}--\r\n`,
        'multipart/form-data',
        'invalid_form',
      ],
      [
        'multipart cut short',
        `--${boundary}\r\ncontent-disposition: form-data; name="password"\r\n\r\nx`,
        `multipart/form-data; boundary=${boundary}`,
        'invalid_form',
      ],
      [
        'a file as the password',
        `--${boundary}\r\ncontent-disposition: form-data; name="password"; filename="p.txt"\r\ncontent-type: text/plain\r\n\r\nx\r\n--${boundary}--\r\n`,
        `multipart/form-data; boundary=${boundary}`,
        'invalid_password',
      ],
      ['the field twice', 'password=a&password=b', 'application/x-www-form-urlencoded', 'invalid_password'],
      ['a form without it', 'user=a', 'application/x-www-form-urlencoded', 'invalid_password'],
    ];
    const got = [];
    for (const [what, body, type] of cases) {
      const answer = await postLogin(base, '127.0.0.40', body, type);
      got.push([
        what,
        answer.status,
        answer.status === 400 ? (JSON.parse(answer.body) as { error: string }).error : answer.body.slice(0, 80),
      ]);
    }
    expect(got).toEqual(cases.map(([what, , , error]) => [what, 400, error]));
    // Twelve unreadable logins from one address, and it is not locked out: none was a guess.
    expect((await login(base, '127.0.0.40', PASSWORD)).status).toBe(200);
    // A form as the login page sends it still logs in (303 to the dashboard).
    expect(
      (await postLogin(base, '127.0.0.41', `password=${encodeURIComponent(PASSWORD)}`, 'application/x-www-form-urlencoded')).status,
    ).toBe(303);
  });
});
