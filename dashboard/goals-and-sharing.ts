/**
 * Goals and funnels (their definitions; their figures are named queries),
 * CSV export and shared links, as routes of the dashboard
 * (docs/dashboards.md): mounted by dashboard/routes.ts after its login checks
 * and before the query API, whose GET /api/stats/NAME answers `format=csv`
 * (and `format=json`) through here.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { ServerEnv } from '../server/env.ts';
import { readInFormat } from './export/read-in-format.ts';
import { definitionRoutes } from './goals/definition-routes.ts';
import { readApi } from './read-api.ts';
import type { SiteKnown } from './api/known-sites.ts';
import { shareRoutes, type ShareDeps } from './share/routes.ts';

export interface GoalsAndSharingDeps extends Omit<ShareDeps, 'reads'> {
  /** The dashboard's read handle (read-only, with its limits). */
  ch: ClickHouse;
  /** Whether a site is one (api/known-sites.ts), for the reads CSV export and shared links make. */
  siteKnown?: SiteKnown;
}

export function goalsAndSharing(deps: GoalsAndSharingDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const reads = readApi(deps.ch, deps.siteKnown);
  for (const path of ['/api/goals', '/api/goals/*', '/api/funnels', '/api/funnels/*']) app.use(path, deps.guard);

  // format=csv of a named query; without `format`, on to the query API as ever.
  const formatted: MiddlewareHandler = async (c: Context, next) => {
    if (c.req.query('format') === undefined) return next();
    return readInFormat(reads, new URL(c.req.url));
  };
  app.get('/api/stats/:name', formatted);

  app.route('/', definitionRoutes({ definitions: deps.definitions, signedIn: deps.signedIn }));
  app.route('/', shareRoutes({ ...deps, reads }));
  return app;
}
