/**
 * The login a request carries: the session of its cookie, when the cookie is
 * genuine, not expired (session.ts) and not logged out (revoked-sessions.ts).
 * Logout revokes what it finds (login-routes.ts); the dashboard's guards let
 * requests in by it (dashboard/routes.ts).
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { RevokedSessions } from './revoked-sessions.ts';
import { SESSION_COOKIE, type Session, type SessionSigner } from './session.ts';

export function liveSession(sessions: SessionSigner, revoked: RevokedSessions): (c: Context) => Session | undefined {
  return (c) => {
    const session = sessions.verify(getCookie(c, SESSION_COOKIE));
    return session && !revoked.has(session) ? session : undefined;
  };
}
