/**
 * GET /healthz: the process is up. GET /readyz: it can do its job — what
 * that means depends on the roles it runs (ClickHouse answers, the bus
 * accepts hits and is consumed) — with their counters, so an operator (and
 * the tests) can see when everything acknowledged is loaded.
 */
import { Hono } from 'hono';
import type { ServerEnv } from './env.ts';

export interface HealthDeps {
  /** Problems that keep the process from being ready (empty: ready). */
  readiness: () => Promise<string[]>;
  /** Counters and state to show on /readyz (bus lag, hits accepted, syslog drops). */
  status: () => Record<string, unknown>;
}

export function healthRoutes(deps: HealthDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const problems = await deps.readiness();
    const body = { status: problems.length ? 'not_ready' : 'ready', problems, ...deps.status() };
    return c.json(body, problems.length ? 503 : 200);
  });
  return app;
}
