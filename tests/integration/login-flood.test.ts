/**
 * The login under attack, over a real server on 127.0.0.1 with real source
 * addresses (requests bound to 127.0.0.x by `localAddress`): a distributed
 * flood of wrong passwords does not keep the owner out by the documented way
 * (DASHBOARD_ADMIN_NETWORKS, loopback by default: an ssh tunnel), and no more
 * guesses get checked than the limit on everyone; one address is locked out,
 * longer each time, while another is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { DEFAULT_LOGIN_LIMITS } from '../../dashboard/auth/login-limiter.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { login, serveLogin, type LoginServer } from '../helpers/login-server.ts';
import { within } from '../helpers/wait-for.ts';

const PASSWORD = 'the owner knows this one';
let ch: ClickHouse;
let hash: string;
const servers: LoginServer[] = [];

beforeAll(async () => {
  ch = await freshClickHouse({ migrate: false });
  hash = await hashPassword(PASSWORD);
});
afterAll(async () => {
  for (const s of servers) s.close();
  await ch.close();
});

async function serve(clock?: () => number): Promise<LoginServer> {
  const server = await serveLogin(ch, hash, clock);
  servers.push(server);
  return server;
}

describe('logins under a distributed guessing flood', () => {
  it('still let the owner in from the admin network (an ssh tunnel to 127.0.0.1) while 20 addresses guess', async () => {
    const { base } = await serve();
    let floodIsOn!: () => void;
    const heldBack = new Promise<void>((r) => {
      floodIsOn = r;
    });
    let ownerAnswered = false;
    let answeredAfterOwner = 0;
    // 20 attackers, each guessing one after another (all addresses at once) until the owner is in: at most 30 each.
    const flood = Promise.all(
      Array.from({ length: 20 }, async (_, a) => {
        const statuses: number[] = [];
        for (let i = 0; i < 30 && !ownerAnswered; i++) {
          const answer = await login(base, `127.0.0.${a + 2}`, `guess ${a}-${i}`);
          statuses.push(answer.status);
          if (ownerAnswered) answeredAfterOwner++;
          if (answer.status === 429 && answer.body.includes('from everywhere')) floodIsOn();
        }
        return statuses;
      }),
    );
    // Once the limit on everyone holds strangers back, the flood is on: the owner logs in through it.
    await within('the limit on everyone to hold the flood back', heldBack, 60_000);
    const stranger = await login(base, '127.0.0.99', PASSWORD);
    const owner = await login(base, '127.0.0.1', PASSWORD);
    ownerAnswered = true;
    const statuses = (await flood).flat();
    expect(owner.status).toBe(200);
    expect(answeredAfterOwner).toBeGreaterThan(0); // it was answered while the flood went on
    // Strangers take turns meanwhile: held back, not for long.
    expect(stranger.status).toBe(429);
    expect(stranger.retryAfter).toBeLessThanOrEqual(60);
    // The attackers together got no more guesses checked than the limit on everyone.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(DEFAULT_LOGIN_LIMITS.everyone);
    expect(statuses.length).toBeGreaterThanOrEqual(100);
    expect(new Set(statuses)).toEqual(new Set([401, 429]));
  }, 120_000);

  it('locks one address out, longer the second time, while another address logs in', async () => {
    const clock = { now: Date.now() };
    const { base } = await serve(() => clock.now);
    const waits: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10; i++) expect((await login(base, '127.0.0.30', `guess ${i}`)).status).toBe(401);
      const locked = await login(base, '127.0.0.30', PASSWORD);
      expect(locked.status).toBe(429);
      waits.push(locked.retryAfter!);
      expect((await login(base, '127.0.0.31', 'a typo')).status).toBe(401);
      expect((await login(base, '127.0.0.31', PASSWORD)).status).toBe(200);
      clock.now += locked.retryAfter! * 1000;
    }
    expect(waits).toEqual([60, 120]);
    expect((await login(base, '127.0.0.30', PASSWORD)).status).toBe(200);
  });
});
