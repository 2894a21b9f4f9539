/**
 * The dashboard's login: scrypt-hashed password, signed session cookies bound
 * to the password and revocable, API tokens kept as digests, guessing limited
 * per client (IPv6 per /64) and for everyone, same-origin forms, security headers.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { hashPassword, resolveDashboardPassword, verifyPassword } from '../../dashboard/auth/password.ts';
import { sessionKey, sessionSigner } from '../../dashboard/auth/session.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { LoginLimiter, DEFAULT_LOGIN_LIMITS, type LoginLimits } from '../../dashboard/auth/login-limiter.ts';
import { clientKey } from '../../server/client-key.ts';
import { loadConfig } from '../../common/config.ts';
import { handleError } from '../../server/handle-error.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { drainAndStop, freePort, startApp } from '../helpers/app-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

let ch: ClickHouse;
let app: Hono;
const KEY = Buffer.alloc(32, 9);
const TOKEN = 'api-token-for-tests';
const signer = sessionSigner(KEY, 'the password of these tests');
const issueSession = (now?: number) => signer.issue(now);
let client = 'client-a'; // the address the app sees; failures are counted per address

async function dashboardApp(
  opts: { limits?: LoginLimits; clock?: () => number; secureCookies?: boolean; revoked?: RevokedSessions } = {},
): Promise<Hono> {
  const a = new Hono();
  a.route(
    '/',
    dashboardRoutes(
      {
        ch,
        passwordHash: await hashPassword('s3cret'),
        sessions: signer,
        revoked: opts.revoked ?? (await RevokedSessions.open(tempDir('revoked'))),
        limiter: new LoginLimiter(opts.limits, opts.clock),
        secureCookies: opts.secureCookies,
        tokenDigests: [createHash('sha256').update(TOKEN).digest('hex')],
      },
      () => client,
    ),
  );
  a.onError(handleError);
  return a;
}

beforeAll(async () => {
  ch = await freshClickHouse();
  app = await dashboardApp();
});
afterAll(async () => {
  await ch.close();
});

const login = (password: string, to?: Hono, headers: Record<string, string> = {}) =>
  (to ?? app).request('/login', {
    method: 'POST',
    body: JSON.stringify({ password }),
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('dashboard login', () => {
  it('sends strangers to the login page, and API callers a 401', async () => {
    expect((await app.request('/')).headers.get('location')).toBe('/login');
    expect((await app.request('/ui/app.js')).status).toBe(303);
    const api = await app.request('/api/stats/sites');
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: 'login_required' });
    expect((await app.request('/login')).status).toBe(200);
  });

  it('lets the right password in with an HttpOnly, SameSite cookie, and not a wrong one', async () => {
    expect((await login('wrong')).status).toBe(401);
    const ok = await login('s3cret');
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/scalehouse_session=v2\.\d+\.[\w-]{22}\./);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const session = cookie.split(';')[0]!;
    expect((await app.request('/api/stats/sites', { headers: { cookie: session } })).status).toBe(200);
    expect((await app.request('/', { headers: { cookie: session } })).status).toBe(200);
    // A form post answers with a redirect, as browsers expect.
    const form = await app.request('/login', {
      method: 'POST',
      body: 'password=s3cret',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.status, form.headers.get('location')]).toEqual([303, '/']);
  });

  it('refuses forged, altered and expired cookies', async () => {
    const good = issueSession();
    const [, expiry, id, mac] = good.split('.');
    const otherKey = sessionSigner(Buffer.alloc(32, 1), 'the password of these tests').issue();
    for (const bad of [
      `v2.${Number(expiry) + 1_000_000}.${id}.${mac}`,
      `v2.${expiry}.${id}x.${mac}`,
      otherKey,
      `v2.${Date.now() - 1000}.${id}.${mac}`,
      'v2...',
      '',
    ]) {
      expect(signer.verify(bad), bad).toBe(undefined);
      expect((await app.request('/api/stats/sites', { headers: { cookie: `scalehouse_session=${bad}` } })).status).toBe(401);
    }
    expect(signer.verify(issueSession(Date.now() - 8 * 86_400_000))).toBe(undefined); // a week old
    expect(signer.verify(good)?.id).toBe(id);
  });

  it('accepts an API token whose digest is configured, on the API only', async () => {
    expect((await app.request('/api/stats/sites', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await app.request('/api/stats/sites', { headers: { authorization: 'Bearer not-it' } })).status).toBe(401);
    expect((await app.request('/', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(303);
  });

  it('slows down guessing: after ten wrong passwords a client waits a minute', async () => {
    client = 'client-b';
    // A stopped clock: ten scrypt checks on a busy machine take over a second, and the wait would read 59.
    const now = Date.now();
    const stopped = await dashboardApp({ clock: () => now });
    for (let i = 0; i < 10; i++) expect((await login(`guess-${i}`, stopped)).status).toBe(401);
    const locked = await login('s3cret', stopped);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
  });

  it('ends every session when the password changes, whether generated or configured', async () => {
    const dir = tempDir('pw-change');
    const generated = await resolveDashboardPassword('', dir);
    const cookie = sessionSigner(KEY, generated.fingerprint).issue();
    // The same password after a restart (the stored hash again): the cookie holds.
    expect(sessionSigner(KEY, (await resolveDashboardPassword('', dir)).fingerprint).verify(cookie)).toBeDefined();
    // DASHBOARD_PASSWORD set: hashed afresh with a new salt at each start, yet the same password keeps sessions…
    const configured = (pw: string) => resolveDashboardPassword(pw, dir).then((p) => p.fingerprint);
    const mine = sessionSigner(KEY, await configured('a long passphrase')).issue();
    expect(sessionSigner(KEY, await configured('a long passphrase')).verify(mine)).toBeDefined();
    // …and a new one ends them, as a reset of the generated one does.
    expect(sessionSigner(KEY, await configured('another long passphrase')).verify(mine)).toBeUndefined();
    expect(sessionSigner(KEY, await configured('another long passphrase')).verify(cookie)).toBeUndefined();
  });

  it('revokes a cookie at logout, for every copy of it and across restarts', async () => {
    const dir = tempDir('revoked');
    const a = await dashboardApp({ revoked: await RevokedSessions.open(dir) });
    const session = `scalehouse_session=${issueSession()}`;
    const other = `scalehouse_session=${issueSession()}`;
    expect((await a.request('/api/stats/sites', { headers: { cookie: session } })).status).toBe(200);
    const out = await a.request('/logout', { method: 'POST', headers: { cookie: session, 'sec-fetch-site': 'same-origin' } });
    expect([out.status, out.headers.get('location')]).toEqual([303, '/login']);
    // The browser drops it; a copy kept elsewhere is refused all the same, and so after a restart.
    expect((await a.request('/api/stats/sites', { headers: { cookie: session } })).status).toBe(401);
    const restarted = await dashboardApp({ revoked: await RevokedSessions.open(dir) });
    expect((await restarted.request('/api/stats/sites', { headers: { cookie: session } })).status).toBe(401);
    expect((await restarted.request('/api/stats/sites', { headers: { cookie: other } })).status).toBe(200);
  });

  it('takes login and logout forms only from its own pages', async () => {
    const session = `scalehouse_session=${issueSession()}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded', host: 'stats.example.com' };
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
    ];
    for (const from of crossSite) {
      const logout = await app.request('/logout', { method: 'POST', headers: { ...form, ...from, cookie: session } });
      expect([logout.status, ((await logout.json()) as { error: string }).error], JSON.stringify(from)).toEqual([403, 'cross_site']);
      expect((await app.request('/login', { method: 'POST', body: 'password=s3cret', headers: { ...form, ...from } })).status).toBe(403);
    }
    expect((await app.request('/api/stats/sites', { headers: { cookie: session } })).status).toBe(200); // not logged out
    client = 'client-c';
    const own = await app.request('/login', {
      method: 'POST',
      body: 'password=s3cret',
      headers: { ...form, origin: 'https://stats.example.com' },
    });
    expect([own.status, own.headers.get('location')]).toEqual([303, '/']);
  });

  it('marks cookies Secure by configuration, not because a client says https', async () => {
    const plain = await login('s3cret', await dashboardApp(), { 'x-forwarded-proto': 'https' });
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    const secure = await login('s3cret', await dashboardApp({ secureCookies: true }));
    expect(secure.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('accepts the bearer scheme in any case, and only a token whose digest is configured', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect((await app.request('/api/stats/sites', { headers: { authorization: `${scheme} ${TOKEN}` } })).status, scheme).toBe(200);
    }
    expect((await app.request('/api/stats/sites', { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
  });

  it('sends security headers with pages, files and the API', async () => {
    const session = `scalehouse_session=${issueSession()}`;
    for (const path of ['/', '/login', '/ui/app.js', '/api/stats/sites', '/api/stats/nope']) {
      const res = await app.request(path, { headers: { cookie: session } });
      expect(res.headers.get('content-security-policy'), path).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
      expect(
        [res.headers.get('x-content-type-options'), res.headers.get('x-frame-options'), res.headers.get('referrer-policy')],
        path,
      ).toEqual(['nosniff', 'DENY', 'same-origin']);
    }
    // The login page's script is a file the policy allows, public like its stylesheet.
    expect(await (await app.request('/login')).text()).not.toMatch(/<script>/);
    expect((await app.request('/ui/login.js')).status).toBe(200);
  });

  it('counts the wrong passwords of an IPv6 /64 together, and of everyone together', async () => {
    const a = await dashboardApp({ limits: { ...DEFAULT_LOGIN_LIMITS, perClient: 3, everyone: 8 } });
    for (let i = 1; i <= 3; i++) {
      client = `2001:db8:1:2::${i}`;
      expect((await login(`guess-${i}`, a)).status).toBe(401);
    }
    client = '2001:db8:1:2:ffff:ffff:ffff:ffff'; // another address of the same /64
    expect((await login('s3cret', a)).status).toBe(429);
    for (let i = 1; i <= 5; i++) {
      client = `198.51.100.${i}`; // five more clients, one guess each: eight for everyone
      expect((await login(`guess-${i}`, a)).status).toBe(401);
    }
    client = '203.0.113.99'; // never guessed, and still waits
    const locked = await login('s3cret', a);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(clientKey('2001:DB8:0001:0002:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
    client = 'client-a';
  });

  it('serves only its own files under /ui', async () => {
    const session = `scalehouse_session=${issueSession()}`;
    for (const path of ['/ui/..%2F..%2Fpackage.json', '/ui/%2e%2e%2fapp.ts', '/ui/constructor']) {
      expect((await app.request(path, { headers: { cookie: session } })).status, path).toBe(404);
    }
    expect((await app.request('/ui/uplot.js', { headers: { cookie: session } })).status).toBe(200);
  });
});

describe('password at rest', () => {
  it('keeps only a scrypt hash of a generated password, and verifies against it', async () => {
    const dir = tempDir('pw');
    const first = await resolveDashboardPassword('', dir);
    expect(first.generated).toMatch(/^[\w-]{16}$/);
    const stored = readFileSync(join(dir, 'dashboard-password'), 'utf8');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain(first.generated!);
    expect(await verifyPassword(first.generated!, stored.trim())).toBe(true);
    expect(await verifyPassword('nope', stored.trim())).toBe(false);
    const again = await resolveDashboardPassword('', dir);
    expect([again.generated, again.hash]).toEqual([undefined, stored.trim()]);
    expect((await sessionKey('', dir)).equals(await sessionKey('', dir))).toBe(true);
  });

  it('tells at every start how to get a new password, and following it gives one that logs in instead of the old', async () => {
    const dataDir = tempDir('pw-reset');
    const file = join(dataDir, 'dashboard-password');
    const hint = `lost it? stop Scalehouse, delete ${file} and start again for a new one, or set DASHBOARD_PASSWORD`;
    /** Runs `scalehouse start` with no DASHBOARD_PASSWORD: the password its log shows (if any), whether it gives the hint, and the logins of `tries`. */
    const run = async (tries: (shown?: string) => string[]) => {
      const started = await startApp({ DATA_DIR: dataDir, LOG_LEVEL: 'info', DASHBOARD_PASSWORD: '' }, await freePort());
      const notice = await waitFor('the dashboard line of the log', async () =>
        started
          .output()
          .split('\n')
          .find((l) => l.includes('dashboard: http')),
      );
      const shown = /password ([\w-]{16}) \(shown once/.exec(notice)?.[1];
      const logins = [];
      for (const password of tries(shown)) {
        logins.push(
          (
            await fetch(`${started.url}/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ password }),
            })
          ).status,
        );
      }
      await drainAndStop(started);
      return { shown, hinted: notice.includes(hint), logins };
    };
    const first = await run((shown) => [shown!]);
    expect(first).toEqual({ shown: expect.stringMatching(/^[\w-]{16}$/), hinted: true, logins: [200] });
    // Restarted, it shows no password (only its hash is kept), but says how to get a new one.
    expect(await run(() => [first.shown!])).toEqual({ shown: undefined, hinted: true, logins: [200] });
    // Following the hint: a new password, which logs in, and the lost one no longer does.
    rmSync(file);
    const reset = await run((shown) => [shown!, first.shown!]);
    expect(reset).toEqual({ shown: expect.stringMatching(/^[\w-]{16}$/), hinted: true, logins: [200, 401] });
    expect(reset.shown).not.toBe(first.shown);
  });

  it('refuses a DASHBOARD_PASSWORD shorter than 12 characters', () => {
    expect(() => loadConfig({ DASHBOARD_PASSWORD: 'a' })).toThrow(/DASHBOARD_PASSWORD: must be at least 12 characters/);
    expect(loadConfig({ DASHBOARD_PASSWORD: 'twelve chars' }).DASHBOARD_PASSWORD).toBe('twelve chars');
  });
});

describe('password checks', () => {
  it('run one at a time with a short queue; more are refused at once (429 busy)', async () => {
    const limiter = new LoginLimiter({ ...DEFAULT_LOGIN_LIMITS, concurrent: 1, queued: 3 });
    let running = 0;
    let most = 0;
    const slowCheck = () =>
      limiter.check(async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return true;
      });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, slowCheck));
    expect(most).toBe(1);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4); // one running, three queued
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.map((o) => (o.reason as { status: number }).status)).toEqual(Array(6).fill(429));
    expect(await slowCheck()).toBe(true); // the slots came back
  });
});
