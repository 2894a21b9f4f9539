/**
 * The collector's HTTP intake: the beacon, log batches and the snippet,
 * mounted on the shared server (server/app.ts). Each validates shape and size
 * only and answers 2xx after the bus has the hits durably.
 */
import { Hono } from 'hono';
import type { ServerEnv } from '../server/env.ts';
import { directRoutesOf, withDirectRoutes } from '../server/direct-route.ts';
import { roleErrorHandler } from '../server/handle-error.ts';
import type { IntakeDeps } from './deps.ts';
import { countRefusals } from './count-refusals.ts';
import { beaconRoutes } from './routes/beacon.ts';
import { logRoutes } from './routes/logs.ts';
import { snippetRoutes } from './routes/snippet.ts';

export function collectorRoutes(deps: IntakeDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  // Paths, not '*': a mounted app's '*' middleware would run for the dashboard's routes too.
  for (const path of ['/api/event', '/api/logs']) app.use(path, countRefusals(deps.counters.refused));
  const beacon = beaconRoutes(deps);
  app.route('/', beacon);
  app.route('/', logRoutes(deps));
  app.route('/', snippetRoutes());
  app.onError(roleErrorHandler('collector'));
  // The beacon, served straight from Node where the server is Node's (server/direct-route.ts).
  return withDirectRoutes(app, directRoutesOf(beacon));
}
