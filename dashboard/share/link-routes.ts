/**
 * What a read-only shared link of a site's dashboard opens, without a login
 * (mounted at /share; the owner makes and revokes links through api-routes.ts):
 *   GET  /share/TOKEN              the dashboard of the link's site, read-only (?embed=1: without its header)
 *   POST /share/TOKEN              the password of a protected link (a cookie for that link's path, 12 hours)
 *   GET  /share/TOKEN/ui/FILE      the dashboard's files (of a protected link, only style.css before its password)
 *   GET  /share/TOKEN/api/stats/…  the read API (every named query, goals and funnels too), for the link's site only (forward.ts)
 *
 * Every request looks the link up by the digest of its token, so a revoked
 * link is refused at once (404; 401 where a password is due), by every
 * dashboard process. Only the page of a link that lists embed origins may be
 * framed, by those origins (security-headers.ts).
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { httpError } from '../../common/http-error.ts';
import type { ServerEnv } from '../../server/env.ts';
import { verifyPassword } from '../auth/password.ts';
import { LoginLimiter } from '../auth/login-limiter.ts';
import { readPassword } from '../auth/password-body.ts';
import { requireSameOrigin } from '../auth/same-origin.ts';
import type { Reads } from '../export/read-in-format.ts';
import { allowFramingBy } from '../security-headers.ts';
import { forwardShared } from './forward.ts';
import { missingPage, passwordPage, sharedDashboard } from './pages.ts';
import { findShare, type ShareLink } from './store.ts';
import { UNLOCK_COOKIE, UNLOCK_TTL_MS, unlockCookie, unlocked } from './unlock.ts';
import type { FilesServer } from '../../server/static-asset.ts';

export interface ShareDeps {
  /** The handle shared links are read and written with (the definitions handle). */
  definitions: ClickHouse;
  /** The read API a link's page is answered from (read-api.ts). */
  reads: Reads;
  clientAddress: (c: Context<ServerEnv>) => string;
  /** The dashboard's page and files (dashboard/ui). */
  page: string;
  assets: FilesServer;
  secureCookies?: boolean;
  /** Limits on password guessing for protected links; one per dashboard. */
  limiter?: LoginLimiter;
}

/** The one file the password form (pages.ts passwordPage) loads. */
const PASSWORD_FORM_STYLE = 'style.css';

const html = (c: Context, body: string, status: 200 | 401 | 404 = 200) =>
  c.body(body, status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' });

/** What a link opens, mounted at /share: each request is let in by its link, not by a login. */
export function sharedLinkRoutes(deps: ShareDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const limiter = deps.limiter ?? new LoginLimiter();
  const link = async (c: Context): Promise<ShareLink> => {
    const found = await findShare(deps.definitions, c.req.param('token') ?? '');
    if (!found) throw httpError(404, 'share_not_found', 'this shared link does not exist or was revoked');
    return found;
  };
  const cookieOf = (c: Context) => getCookie(c, UNLOCK_COOKIE);

  // A link's files are looked up by its token like the rest of what it opens: an unknown or revoked
  // link serves nothing (404). A protected one serves the password form's stylesheet alone until the
  // password is given; the dashboard's code waits for it, as /ui keeps it behind the login
  // (dashboard/routes.ts) — the files hold no figures, but a link opens no more than a login would.
  // `private` (RFC 9111 §5.2.2.7): no shared cache keeps a token's URL, or serves it once revoked.
  app.get('/:token/ui/:file', async (c) => {
    const found = await link(c);
    if (c.req.param('file') !== PASSWORD_FORM_STYLE && !unlocked(found, cookieOf(c)))
      throw httpError(401, 'password_required', 'this shared link needs its password: open it and give it');
    return deps.assets(c, 'private, max-age=300');
  });

  app.get('/:token', async (c) => {
    const found = await findShare(deps.definitions, c.req.param('token'));
    if (!found) return html(c, missingPage(), 404);
    allowFramingBy(c, found.embed_origins);
    if (!unlocked(found, cookieOf(c))) return html(c, passwordPage(c.req.param('token'), found.site, false), 401);
    return html(c, sharedDashboard(deps.page, c.req.param('token'), found.site, c.req.query('embed') === '1'));
  });

  app.post(
    '/:token',
    bodyLimit({
      maxSize: 4096,
      onError: () => {
        throw httpError(413, 'payload_too_large', 'a password, not a file');
      },
    }),
    async (c) => {
      requireSameOrigin(c);
      const found = await findShare(deps.definitions, c.req.param('token'));
      if (!found) return html(c, missingPage(), 404);
      allowFramingBy(c, found.embed_origins);
      const url = new URL(c.req.url);
      if (found.password_hash === '') return c.redirect(`${url.pathname}${url.search}`, 303);
      const { password } = await readPassword(c);
      const attempt = limiter.attempt(deps.clientAddress(c));
      if (!password || !(await attempt.check(() => verifyPassword(password, found.password_hash))))
        return html(c, passwordPage(c.req.param('token'), found.site, true), 401);
      attempt.succeeded();
      setCookie(c, UNLOCK_COOKIE, unlockCookie(found), {
        httpOnly: true,
        sameSite: 'Lax',
        path: url.pathname,
        maxAge: UNLOCK_TTL_MS / 1000,
        secure: Boolean(deps.secureCookies),
      });
      return c.redirect(`${url.pathname}${url.search}`, 303);
    },
  );

  const api = async (c: Context, path: string) => {
    // Names of queries only: nothing a path could climb out of /api/ with.
    if (!/^\/api\/stats\/[a-z0-9-]{1,60}$/.test(path)) throw httpError(404, 'not_found', 'no such query');
    const found = await link(c);
    if (!unlocked(found, cookieOf(c)))
      throw httpError(401, 'password_required', 'this shared link needs its password: open it and give it');
    return forwardShared(deps.reads, found.site, path, new URL(c.req.url));
  };
  app.get('/:token/api/stats/:name', (c) => api(c, `/api/stats/${c.req.param('name')}`));
  return app;
}
