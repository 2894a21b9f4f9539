/**
 * GET /healthz: the process is up. GET /readyz: it can do its job — ClickHouse
 * answers, the schema is migrated, the bus accepts hits — with the bus lag,
 * so an operator (and the tests) can see when everything acknowledged is loaded.
 */
import { Hono } from 'hono';
import type { CollectorEnv, CollectorDeps } from '../app.ts';

export function healthRoutes(deps: CollectorDeps): Hono<CollectorEnv> {
  const app = new Hono<CollectorEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const bus = deps.bus.stats();
    const problems = [...(await deps.readiness()), ...(bus.error ? [`the processor cannot consume the bus: ${bus.error}`] : [])];
    const body = { status: problems.length ? 'not_ready' : 'ready', problems, bus, accepted: deps.counters.accepted, ...deps.status?.() };
    return c.json(body, problems.length ? 503 : 200);
  });
  return app;
}
