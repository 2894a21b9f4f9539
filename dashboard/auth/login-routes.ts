/**
 * The dashboard's login and logout, mounted at / by dashboard/routes.ts:
 *   GET  /login    the login page (dashboard/ui/login.html)
 *   POST /login    the password (password-body.ts), checked under the limits of login-limiter.ts:
 *                  a session cookie, then / (JSON: {"ok":true}); wrong, /login?failed=1 (JSON: 401)
 *   POST /logout   the cookie's session revoked, the cookie deleted, then /login
 * Both posts are taken from the dashboard's own pages only (same-origin.ts).
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, setCookie } from 'hono/cookie';
import { httpError } from '../../common/http-error.ts';
import type { ServerEnv } from '../../server/env.ts';
import { liveSession } from './live-session.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { verifyPassword } from './password.ts';
import { readPassword } from './password-body.ts';
import type { RevokedSessions } from './revoked-sessions.ts';
import { requireSameOrigin } from './same-origin.ts';
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionSigner } from './session.ts';

export interface LoginDeps {
  /** The login page (dashboard/ui/login.html). */
  page: Buffer;
  passwordHash: string;
  sessions: SessionSigner;
  revoked: RevokedSessions;
  /** Limits on password guessing; the dashboard's one, which shared links' passwords share. */
  limiter: LoginLimiter;
  /** Secure cookies (DASHBOARD_SECURE_COOKIES): configured, never inferred from a header a client can send. */
  secureCookies?: boolean;
  clientAddress: (c: Context<ServerEnv>) => string;
}

export function loginRoutes(deps: LoginDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const sessionOf = liveSession(deps.sessions, deps.revoked);

  app.get('/login', (c) =>
    c.body(new Uint8Array(deps.page), 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }),
  );
  app.post(
    '/login',
    bodyLimit({
      maxSize: 4096,
      onError: () => {
        throw httpError(413, 'payload_too_large', 'a login is a password, not a file');
      },
    }),
    async (c) => {
      requireSameOrigin(c);
      // The body first: one that cannot be read is a 400, not a guess counted against the client.
      const { password, json } = await readPassword(c);
      const attempt = deps.limiter.attempt(deps.clientAddress(c));
      if (!password || !(await attempt.check(() => verifyPassword(password, deps.passwordHash)))) {
        if (json) throw httpError(401, 'bad_password', 'wrong password');
        return c.redirect('/login?failed=1', 303);
      }
      attempt.succeeded();
      setCookie(c, SESSION_COOKIE, deps.sessions.issue(), {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        maxAge: SESSION_TTL_MS / 1000,
        secure: Boolean(deps.secureCookies),
      });
      return json ? c.json({ ok: true }) : c.redirect('/', 303);
    },
  );
  app.post('/logout', async (c) => {
    requireSameOrigin(c);
    // The cookie is revoked, not only dropped: a copy of it (another browser, a stolen one) stops working too.
    const session = sessionOf(c);
    if (session) await deps.revoked.revoke(session);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
  return app;
}
