/**
 * GET /healthz: the process is up. GET /readyz: it can do its job — what
 * that means depends on the roles it runs (ClickHouse answers, the bus
 * accepts hits and is consumed) — with its problems and counters for callers
 * that may see them (`authorized`: an ingest or API token), so an operator
 * (and the tests) can see when everything acknowledged is loaded. Anyone
 * else gets the status alone: counters and error messages tell an outsider
 * how much traffic there is and what is failing.
 */
import { Hono, type Context } from 'hono';
import type { ServerEnv } from './env.ts';

export interface HealthDeps {
  /** Problems that keep the process from being ready (empty: ready). */
  readiness: () => Promise<string[]>;
  /** Counters and state to show on /readyz (bus lag, hits accepted, syslog drops). */
  status: () => Record<string, unknown>;
  /** Whether the caller may see problems and counters; everyone may, if absent. */
  authorized?: (c: Context) => boolean;
}

export function healthRoutes(deps: HealthDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const problems = await deps.readiness();
    const status = problems.length ? 'not_ready' : 'ready';
    const detailed = deps.authorized ? deps.authorized(c) : true;
    return c.json(detailed ? { status, problems, ...deps.status() } : { status }, problems.length ? 503 : 200);
  });
  return app;
}
