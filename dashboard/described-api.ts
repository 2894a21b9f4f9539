/** The OpenAPI route definitions of the dashboard's API (routes.ts mounts what they describe). */
import { STATS_ROUTES } from './api/described-routes.ts';
import { DEFINITION_ROUTES } from './goals/described-routes.ts';
import { SHARE_ROUTES } from './share/described-routes.ts';

export const DASHBOARD_ROUTES = [...STATS_ROUTES, ...DEFINITION_ROUTES, ...SHARE_ROUTES];
