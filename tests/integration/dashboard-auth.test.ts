/** The dashboard's login: scrypt-hashed password, signed session cookie, API tokens kept as digests. */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { hashPassword, resolveDashboardPassword, verifyPassword } from '../../dashboard/auth/password.ts';
import { issueSession, sessionKey, verifySession } from '../../dashboard/auth/session.ts';
import { handleError } from '../../server/handle-error.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';

let ch: ClickHouse;
let app: Hono;
const KEY = Buffer.alloc(32, 9);
const TOKEN = 'api-token-for-tests';
let client = 'client-a'; // the address the app sees; failures are counted per address

beforeAll(async () => {
  ch = await freshClickHouse();
  app = new Hono();
  app.route('/', dashboardRoutes({ ch, passwordHash: await hashPassword('s3cret'), sessionKey: KEY, tokenDigests: [createHash('sha256').update(TOKEN).digest('hex')] }, () => client));
  app.onError(handleError);
});
afterAll(async () => {
  await ch.close();
});

const login = (password: string) => app.request('/login', { method: 'POST', body: JSON.stringify({ password }), headers: { 'content-type': 'application/json' } });

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
    expect(cookie).toMatch(/scalehouse_session=v1\.\d+\./);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const session = cookie.split(';')[0]!;
    expect((await app.request('/api/stats/sites', { headers: { cookie: session } })).status).toBe(200);
    expect((await app.request('/', { headers: { cookie: session } })).status).toBe(200);
    // A form post answers with a redirect, as browsers expect.
    const form = await app.request('/login', { method: 'POST', body: 'password=s3cret', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([form.status, form.headers.get('location')]).toEqual([303, '/']);
  });

  it('refuses forged, altered and expired cookies', async () => {
    const good = issueSession(KEY);
    const [, expiry, mac] = good.split('.');
    for (const bad of [`v1.${Number(expiry) + 1_000_000}.${mac}`, issueSession(Buffer.alloc(32, 1)), `v1.${Date.now() - 1000}.${mac}`, 'v1..', '']) {
      expect(verifySession(KEY, bad), bad).toBe(false);
      expect((await app.request('/api/stats/sites', { headers: { cookie: `scalehouse_session=${bad}` } })).status).toBe(401);
    }
    expect(verifySession(KEY, issueSession(KEY, Date.now() - 8 * 86_400_000))).toBe(false); // a week old
  });

  it('accepts an API token whose digest is configured, on the API only', async () => {
    expect((await app.request('/api/stats/sites', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await app.request('/api/stats/sites', { headers: { authorization: 'Bearer not-it' } })).status).toBe(401);
    expect((await app.request('/', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(303);
  });

  it('slows down guessing: after ten wrong passwords a client waits a minute', async () => {
    client = 'client-b';
    for (let i = 0; i < 10; i++) expect((await login(`guess-${i}`)).status).toBe(401);
    const locked = await login('s3cret');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
  });

  it('serves only its own files under /ui', async () => {
    const session = `scalehouse_session=${issueSession(KEY)}`;
    for (const path of ['/ui/..%2F..%2Fpackage.json', '/ui/%2e%2e%2fapp.ts', '/ui/constructor']) {
      expect((await app.request(path, { headers: { cookie: session } })).status, path).toBe(404);
    }
    expect((await app.request('/ui/uplot.js', { headers: { cookie: session } })).status).toBe(200);
  });
});

describe('password at rest', () => {
  it('keeps only a scrypt hash of a generated password, and verifies against it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
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
});
