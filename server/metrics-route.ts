/**
 * GET /metrics in Prometheus text format. On the main port it is for holders
 * of an ingest or API token (Prometheus: `authorization: { credentials: … }`),
 * like /readyz's detail: counters say how much traffic a site has. With
 * METRICS_PORT it is served alone on METRICS_HOST (loopback by default),
 * where the network is the protection.
 */
import { Hono, type Context } from 'hono';
import type { Registry } from 'prom-client';
import { httpError } from '../common/http-error.ts';
import type { ServerEnv } from './env.ts';

export function metricsRoutes(registry: Registry, authorized?: (c: Context) => boolean): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get('/metrics', async (c) => {
    if (authorized && !authorized(c))
      throw httpError(401, 'missing_token', 'send an ingest or API token as "Authorization: Bearer <token>", or scrape METRICS_PORT', {
        'www-authenticate': 'Bearer',
      });
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  return app;
}
