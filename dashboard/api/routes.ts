/**
 * GET /api/stats/:name — the dashboard's query API. Named queries only; every
 * parameter is validated (400 with the reason) and bound, never spliced.
 * GET /api/stats/batch runs several of them in one request (batch.ts).
 * Mounted at /api/stats (dashboard/routes.ts).
 */
import { Hono } from 'hono';
import { QUERIES } from './queries.ts';
import { answerQuery, type StatsDeps } from './answer.ts';
import { answerBatch } from './batch.ts';

export function statsRoutes(deps: StatsDeps): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ queries: Object.keys(QUERIES) }));
  // Before /:name, which would take "batch" for a query's name.
  app.get('/batch', async (c) => {
    c.header('cache-control', 'no-store');
    return c.json(await answerBatch(deps, new URL(c.req.url).searchParams));
  });
  app.get('/:name', async (c) => {
    const body = await answerQuery(deps, c.req.param('name'), c.req.query());
    c.header('cache-control', 'no-store');
    return c.json(body);
  });
  return app;
}
