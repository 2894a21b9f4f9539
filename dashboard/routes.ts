/**
 * The built-in dashboard: login, the web UI (dashboard/ui, uPlot from the
 * package itself — no CDN) and the query API, all behind the password.
 * Routes on the shared server (server/app.ts): mounted by `scalehouse start`
 * next to the collector, and alone by `scalehouse dashboard` in distributed mode.
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { httpError } from '../common/http-error.ts';
import type { ServerEnv } from '../server/env.ts';
import { statsRoutes } from './api/routes.ts';
import { verifyPassword } from './auth/password.ts';
import { issueSession, SESSION_COOKIE, SESSION_TTL_MS, verifySession } from './auth/session.ts';

const require = createRequire(import.meta.url);
const asset = (path: string) => readFileSync(new URL(`./ui/${path}`, import.meta.url));
const ASSETS: Record<string, { body: Buffer; type: string }> = {
  'app.js': { body: asset('app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { body: asset('style.css'), type: 'text/css; charset=utf-8' },
  'uplot.js': { body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')), type: 'text/css; charset=utf-8' },
};
const INDEX = asset('index.html');
const LOGIN = asset('login.html');

export interface DashboardDeps {
  ch: ClickHouse;
  passwordHash: string;
  sessionKey: Buffer;
  /** The bus's lag and size, shown with the pipeline query (absent where this process has no bus). */
  busStats?: () => object;
  /** SHA-256 digests (hex) of API tokens: only digests are configured or kept. */
  tokenDigests?: string[];
  /** Secure cookies when served over https (behind a TLS proxy). */
  secureCookies?: boolean;
}

const MAX_FAILURES = 10; // per client address and minute

export function dashboardRoutes(deps: DashboardDeps, clientAddress: (c: Context<ServerEnv>) => string): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const failures = new Map<string, { n: number; until: number }>();
  const html = (c: Context, body: Buffer, status: 200 | 401 = 200) => c.body(new Uint8Array(body), status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });

  app.get('/login', (c) => html(c, LOGIN));
  app.post(
    '/login',
    bodyLimit({ maxSize: 4096, onError: () => { throw httpError(413, 'payload_too_large', 'a login is a password, not a file'); } }),
    async (c) => {
      const who = clientAddress(c);
      const now = Date.now();
      if (failures.size > 10_000) for (const [k, v] of failures) if (v.until <= now) failures.delete(k);
      const f = failures.get(who);
      const tries = f && f.until > now ? f.n : 0;
      if (tries >= MAX_FAILURES) throw httpError(429, 'too_many_attempts', 'too many wrong passwords; wait a minute', { 'retry-after': '60' });
      // Counted before the (slow) check, so parallel guesses cannot all slip in under the limit.
      failures.set(who, { n: tries + 1, until: now + 60_000 });
      const type = c.req.header('content-type') ?? '';
      const password = type.includes('json')
        ? String(((await c.req.json().catch(() => ({}))) as { password?: unknown }).password ?? '')
        : String((await c.req.parseBody())['password'] ?? '');
      if (!password || !(await verifyPassword(password, deps.passwordHash))) {
        if (type.includes('json')) throw httpError(401, 'bad_password', 'wrong password');
        return c.redirect('/login?failed=1', 303);
      }
      failures.delete(who);
      // Secure when the page was reached over https (directly, or through a proxy that says so).
      const secure = deps.secureCookies || c.req.url.startsWith('https:') || c.req.header('x-forwarded-proto') === 'https';
      setCookie(c, SESSION_COOKIE, issueSession(deps.sessionKey), { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: SESSION_TTL_MS / 1000, secure });
      return type.includes('json') ? c.json({ ok: true }) : c.redirect('/', 303);
    },
  );
  app.post('/logout', (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  // Everything below needs a session.
  const tokens = new Set(deps.tokenDigests ?? []);
  const guard = async (c: Context, next: () => Promise<void>) => {
    if (verifySession(deps.sessionKey, getCookie(c, SESSION_COOKIE))) return next();
    const auth = c.req.header('authorization') ?? '';
    if (c.req.path.startsWith('/api/') && auth.startsWith('Bearer ') && tokens.has(createHash('sha256').update(auth.slice(7).trim()).digest('hex'))) return next();
    if (c.req.path.startsWith('/api/')) throw httpError(401, 'login_required', 'log in at /login first');
    return c.redirect('/login', 303);
  };
  app.use('/', guard);
  // The login page's own stylesheet is public; the rest of /ui is not.
  app.use('/ui/*', async (c, next) => (c.req.path === '/ui/style.css' ? next() : guard(c, next)));
  app.use('/api/stats', guard);
  app.use('/api/stats/*', guard);

  app.get('/', (c) => html(c, INDEX));
  app.get('/ui/:file', (c) => {
    const a = Object.hasOwn(ASSETS, c.req.param('file')) ? ASSETS[c.req.param('file')] : undefined;
    if (!a) throw httpError(404, 'not_found', 'no such file');
    return c.body(new Uint8Array(a.body), 200, { 'content-type': a.type, 'cache-control': 'public, max-age=300' });
  });
  app.route('/', statsRoutes({ ch: deps.ch, extra: (name) => (name === 'pipeline' && deps.busStats ? { bus: deps.busStats() } : {}) }));
  return app;
}
