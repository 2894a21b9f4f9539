/**
 * The built-in dashboard: login (auth/login-routes.ts), the web UI
 * (dashboard/ui, uPlot from the package itself — no CDN) and the query API,
 * all behind the password.
 * Routes on the shared server (server/app.ts): mounted by `scalehouse start`
 * next to the collector, and alone by `scalehouse dashboard` in distributed mode.
 * Each part is an app of its own under its own prefix, with its login check
 * once at that prefix: no part's routes can answer another's paths, in
 * whatever order they are mounted.
 */
import { Hono, type Context, type Env, type MiddlewareHandler } from 'hono';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { httpError } from '../common/http-error.ts';
import type { ServerEnv } from '../server/env.ts';
import { roleErrorHandler } from '../server/handle-error.ts';
import { statsRoutes } from './api/routes.ts';
import { realtimeRoutes } from './api/realtime.ts';
import { LiveFeeds, readLive } from './api/live-feed.ts';
import { OpenStreams, type StreamLimits } from './api/open-streams.ts';
import { knownSites } from './api/known-sites.ts';
import { sessionCredential, tokenCredential, type Credential } from './auth/credential.ts';
import { liveSession } from './auth/live-session.ts';
import { loginRoutes } from './auth/login-routes.ts';
import type { SessionSigner } from './auth/session.ts';
import type { RevokedSessions } from './auth/revoked-sessions.ts';
import { LoginLimiter } from './auth/login-limiter.ts';
import { securityHeaders } from './security-headers.ts';
import { bearerIn, bearerToken } from '../server/bearer.ts';
import { tokenDigest } from '../common/token-digest.ts';
import { readInFormat } from './export/read-in-format.ts';
import { definitionRoutes } from './goals/definition-routes.ts';
import { readApi } from './read-api.ts';
import { shareApiRoutes } from './share/api-routes.ts';
import { sharedLinkRoutes } from './share/link-routes.ts';
import { UI_ASSETS, UI_ASSETS_PAGE } from './ui-assets.ts';

const INDEX = UI_ASSETS_PAGE.index;

export interface DashboardDeps {
  ch: ClickHouse;
  /**
   * The handle goals, funnels and shared links are read and written with: never `ch`, whose reads
   * run read-only (in server mode DASHBOARD_CLICKHOUSE_USER, as the reader may not write; embedded,
   * the pipeline's own session, as the reads have one of their own: clickhouse/connect.ts). Without it, `ch`.
   */
  definitions?: ClickHouse;
  passwordHash: string;
  /** Signs and checks login cookies (bound to the password: a new password ends every session). */
  sessions: SessionSigner;
  /** Sessions logged out before they expired. */
  revoked: RevokedSessions;
  /** Limits on password guessing; one per dashboard, shared by its logins. */
  limiter?: LoginLimiter;
  /** The bus's lag and size, shown with the pipeline query (absent where this process has no bus). */
  busStats?: () => object;
  /** SHA-256 digests (hex) of API tokens: only digests are configured or kept. */
  tokenDigests?: string[];
  /** Secure cookies (DASHBOARD_SECURE_COOKIES): configured, never inferred from a header a client can send. */
  secureCookies?: boolean;
  /** The realtime view's readers (one per site watched); by default read from `ch` every 2 seconds. */
  liveFeeds?: LiveFeeds;
  /** Most realtime streams open at once per credential and per site (DASHBOARD_REALTIME_STREAMS_PER_LOGIN, _PER_SITE). */
  realtimeLimits?: StreamLimits;
  /** SITES: known sites before their first hit (the stats API answers 404 unknown_site for the others with no data). */
  sites?: readonly string[] | '*';
}

export function dashboardRoutes(deps: DashboardDeps, clientAddress: (c: Context<ServerEnv>) => string): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const limiter = deps.limiter ?? new LoginLimiter();
  const siteKnown = knownSites(deps.ch, deps.sites);
  app.use('*', securityHeaders);
  const sessionOf = liveSession(deps.sessions, deps.revoked);
  app.route('/', loginRoutes({ ...deps, page: UI_ASSETS_PAGE.login, limiter, clientAddress }));

  // Everything below needs a session.
  const hasApiToken = bearerIn(deps.tokenDigests ?? []);
  /** What an API request is let in with: its login, else its API token. */
  const credentialOf = (c: Context): Credential | undefined => {
    const session = sessionOf(c);
    if (session) return sessionCredential(session);
    return hasApiToken(c) ? tokenCredential(tokenDigest(bearerToken(c.req.header('authorization')))) : undefined;
  };
  const guard = async (c: Context, next: () => Promise<void>) => {
    if (sessionOf(c)) return next();
    if (c.req.path.startsWith('/api/') && hasApiToken(c)) return next();
    if (c.req.path.startsWith('/api/')) throw httpError(401, 'login_required', 'log in at /login first');
    return c.redirect('/login', 303);
  };
  /** `routes` at `prefix` (the prefix itself and every path under it), behind `check`. */
  const mount = <E extends Env>(prefix: string, check: MiddlewareHandler, routes: Hono<E>) => {
    app.use(`${prefix}/*`, check);
    app.route(prefix, routes);
  };
  app.use('/', guard);
  app.get('/', (c) => c.body(new Uint8Array(INDEX), 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }));
  // The login page's own stylesheet and script are public; the rest of /ui is not — and so is cached
  // privately only: a shared cache in front would hand the dashboard's code to anyone.
  const uiGuard: MiddlewareHandler = async (c, next) =>
    c.req.path === '/ui/style.css' || c.req.path === '/ui/login.js' ? next() : guard(c, next);
  mount(
    '/ui',
    uiGuard,
    new Hono().get('/:file', (c) => UI_ASSETS(c, 'private, max-age=300')),
  );

  // format=csv (and format=json) of a named query is answered by the export; without `format`, by the query API.
  const reads = readApi(deps.ch, siteKnown);
  const stats = new Hono()
    .get('/:name', async (c, next) => (c.req.query('format') === undefined ? next() : readInFormat(reads, new URL(c.req.url))))
    .route(
      '/',
      statsRoutes({ ch: deps.ch, siteKnown, extra: (name) => (name === 'pipeline' && deps.busStats ? { bus: deps.busStats() } : {}) }),
    );
  mount('/api/stats', guard, stats);
  // A realtime stream ends with the login it was opened with (an API token's ends with the process).
  const streams = new OpenStreams(deps.realtimeLimits);
  deps.revoked.onRevoke((session) => streams.end(sessionCredential(session).key, 'logged_out'));
  mount(
    '/api/realtime',
    guard,
    realtimeRoutes({ feeds: deps.liveFeeds ?? new LiveFeeds(readLive(deps.ch)), streams, credentialOf, siteKnown }),
  );

  // Goals, funnels and shared links are read and written with the definitions handle.
  const definitions = deps.definitions ?? deps.ch;
  const signedIn = (c: Context) => sessionOf(c) !== undefined;
  mount('/api/goals', guard, definitionRoutes({ definitions, signedIn }, 'goal'));
  mount('/api/funnels', guard, definitionRoutes({ definitions, signedIn }, 'funnel'));
  mount('/api/shares', guard, shareApiRoutes({ definitions, signedIn }));
  // A shared link is let in by its token (and password), never by the login: no guard at /share.
  app.route(
    '/share',
    sharedLinkRoutes({
      definitions,
      reads,
      clientAddress,
      page: INDEX.toString('utf8'),
      assets: UI_ASSETS,
      secureCookies: deps.secureCookies,
      // One limiter for every password this dashboard checks: one scrypt at a time, one count of failures.
      limiter,
    }),
  );
  app.onError(roleErrorHandler('dashboard'));
  return app;
}
