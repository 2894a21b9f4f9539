/**
 * The OpenAPI document of a `scalehouse start` process: the route
 * definitions of the roles it serves (server/openapi.ts puts them together
 * and serves them at /api/openapi.json).
 */
import { COLLECTOR_ROUTES } from '../collector/routes/schemas.ts';
import { DASHBOARD_ROUTES } from '../dashboard/described-api.ts';
import { SERVER_ROUTES } from '../server/described-routes.ts';
import { describeApi, type ApiDocument } from '../server/openapi.ts';
import { version } from './version.ts';

export interface ServedRoles {
  /** The collector's intake (/api/event, /api/logs). */
  collect: boolean;
  /** The dashboard's API. */
  dashboard: boolean;
  /** /metrics on the main port (METRICS_PORT unset). */
  metrics: boolean;
}

export function apiDocument(roles: ServedRoles): ApiDocument {
  return describeApi(
    [
      ...SERVER_ROUTES.filter((r) => roles.metrics || r.path !== '/metrics'),
      ...(roles.collect ? COLLECTOR_ROUTES : []),
      ...(roles.dashboard ? DASHBOARD_ROUTES : []),
    ],
    version(),
  );
}
