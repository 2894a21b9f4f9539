/**
 * The dashboard's HTTP edges, served by server/: a JSON body over its limit
 * is refused while it comes in (server/read-body.ts), never read whole first
 * — over a real socket, the 413 arrives while the client is still sending —
 * and its files (/ui/…, a shared link's /share/TOKEN/ui/…) are served by the
 * one static asset server: compressed as asked, with a strong ETag, 304 to a
 * current If-None-Match, and each path's own Cache-Control. Each part of the
 * dashboard is mounted under its own prefix with the login check at that
 * prefix: every path under it, known or not, is behind the login.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { SESSION_COOKIE, sessionSigner } from '../../dashboard/auth/session.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { testDashboard, type TestDashboard } from '../helpers/dashboard-app.ts';
import { serveDashboard } from '../helpers/serve-dashboard.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { within } from '../helpers/wait-for.ts';

let ch: ClickHouse;
let d: TestDashboard;
let served: { base: string; close: () => void };
let cookie: string;

beforeAll(async () => {
  ch = await freshClickHouse();
  d = await testDashboard(ch);
  const signer = sessionSigner(Buffer.alloc(32, 9), 'the password of this test');
  cookie = `${SESSION_COOKIE}=${signer.issue()}`;
  served = await serveDashboard({
    ch,
    passwordHash: await hashPassword('s3cret'),
    sessions: signer,
    revoked: await RevokedSessions.open(tempDir('revoked')),
  });
});
afterAll(() => served?.close());

/**
 * POSTs `first` to `path` and keeps the request open (no end): resolves with the answer if one comes
 * while the client has more to send. `declared` sets a Content-Length (else the body is chunked).
 */
function postUnfinished(
  path: string,
  first: string,
  declared?: number,
): { answer: Promise<{ status: number; error: string }>; stop: () => void } {
  const headers: Record<string, string | number> = { cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
  if (declared !== undefined) headers['content-length'] = declared;
  const req = request(`${served.base}${path}`, { method: 'POST', headers });
  const answer = new Promise<{ status: number; error: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (t) => {
          text += t;
        })
        .on('end', () => resolve({ status: res.statusCode!, error: (JSON.parse(text) as { error: string }).error }));
    });
    // The server may close the socket once it has answered: a write after that fails here, not the test.
    req.on('error', (err) => reject(err));
  });
  req.write(first);
  return { answer, stop: () => req.destroy() };
}

describe('dashboard bodies', () => {
  it('refuses a body past 16 KB while it is still coming, chunked or declared, with 413', async () => {
    // 64 KB of a goal's name, sent without an end: a reader that waits for the whole body never answers.
    const chunked = postUnfinished('/api/goals', `{"site":"example.com","name":"${'x'.repeat(64 * 1024)}`);
    try {
      expect(await within('an answer to a chunked body past the limit, before its end', chunked.answer, 10_000)).toEqual({
        status: 413,
        error: 'payload_too_large',
      });
    } finally {
      chunked.stop();
    }
    // 100 MB declared, 100 bytes sent: refused on the declared length alone.
    const declared = postUnfinished('/api/shares', `{"site":"example.com","label":"${'y'.repeat(80)}`, 100 * 1024 * 1024);
    try {
      expect(await within('an answer to a declared length past the limit, before the body', declared.answer, 10_000)).toEqual({
        status: 413,
        error: 'payload_too_large',
      });
    } finally {
      declared.stop();
    }
  });
});

describe('dashboard files', () => {
  const get = async (path: string, headers: Record<string, string>) => {
    const res = await d.app.request(path, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    return {
      status: res.status,
      etag: res.headers.get('etag'),
      vary: res.headers.get('vary'),
      coding: res.headers.get('content-encoding'),
      cache: res.headers.get('cache-control'),
      type: res.headers.get('content-type'),
      nosniff: res.headers.get('x-content-type-options'),
      body,
    };
  };

  it('serves /ui compressed with a strong ETag, and answers a current If-None-Match with 304 and no body', async () => {
    const plain = await get('/ui/app.js', { cookie: d.cookie });
    const gzipped = await get('/ui/app.js', { cookie: d.cookie, 'accept-encoding': 'gzip' });
    const common = {
      status: 200,
      vary: 'Accept-Encoding',
      cache: 'private, max-age=300',
      type: 'text/javascript; charset=utf-8',
      nosniff: 'nosniff',
    };
    expect(plain).toMatchObject({ ...common, coding: null });
    expect(gzipped).toMatchObject({ ...common, coding: 'gzip' });
    expect(gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    expect(gzipped.body.length).toBeLessThan(plain.body.length);
    expect(plain.etag).toMatch(/^"[\w-]+"$/);
    expect(gzipped.etag).not.toBe(plain.etag);

    const again = await get('/ui/app.js', { cookie: d.cookie, 'accept-encoding': 'gzip', 'if-none-match': gzipped.etag! });
    expect(again).toEqual({ ...common, status: 304, coding: null, etag: gzipped.etag, body: Buffer.alloc(0) });
    // A tag of another coding or an older file is not current: the file comes whole.
    expect((await get('/ui/app.js', { cookie: d.cookie, 'accept-encoding': 'gzip', 'if-none-match': plain.etag! })).status).toBe(200);
    // Still behind the login, 304 or not.
    expect((await get('/ui/app.js', { 'if-none-match': plain.etag! })).status).toBe(303);
  });

  it("serves a shared link's files the same way, kept out of shared caches", async () => {
    const made = await d.app.request('/api/shares', {
      method: 'POST',
      headers: { ...d.browser, 'content-type': 'application/json' },
      body: '{"site":"example.com"}',
    });
    const { token } = (await made.json()) as { token: string };
    const first = await get(`/share/${token}/ui/app.js`, { 'accept-encoding': 'br, gzip' });
    expect(first).toMatchObject({ status: 200, coding: 'br', cache: 'private, max-age=300', vary: 'Accept-Encoding' });
    // The same file as /ui: the same representation, the same tag.
    expect(first.etag).toBe((await get('/ui/app.js', { cookie: d.cookie, 'accept-encoding': 'br' })).etag);
    expect(await get(`/share/${token}/ui/app.js`, { 'accept-encoding': 'br', 'if-none-match': first.etag! })).toMatchObject({
      status: 304,
      cache: 'private, max-age=300',
      body: Buffer.alloc(0),
    });
  });
});

describe('dashboard prefixes', () => {
  it('keeps every path under a guarded prefix behind the login, known or not, whatever the method', async () => {
    const seen = [];
    for (const [method, path] of [
      ['GET', '/api/stats'],
      ['GET', '/api/stats/overview'],
      ['GET', '/api/stats/batch'],
      ['GET', '/api/stats/overview/more'],
      ['GET', '/api/realtime'],
      ['GET', '/api/realtime/more'],
      ['GET', '/api/goals'],
      ['PUT', '/api/goals/some-id'],
      ['DELETE', '/api/funnels/some-id'],
      ['GET', '/api/shares'],
      ['PATCH', '/api/shares/some-id'],
      ['GET', '/ui/app.js'],
      ['GET', '/ui/nope.js'],
    ] as const) {
      const res = await d.app.request(path, { method });
      seen.push([
        method,
        path,
        res.status,
        res.status === 401 ? ((await res.json()) as { error: string }).error : res.headers.get('location'),
      ]);
    }
    expect(seen).toEqual(
      seen.map(([method, path]) => [method, path, ...(String(path).startsWith('/api/') ? [401, 'login_required'] : [303, '/login'])]),
    );
    // The login page's own files, and a shared link's paths, are let in without it.
    expect((await d.app.request('/ui/login.js')).status).toBe(200);
    expect((await d.app.request(`/share/${'A'.repeat(32)}`)).status).toBe(404);
  });
});
