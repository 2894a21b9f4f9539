/**
 * GET /api/stats/:name — the dashboard's query API. Named queries only; every
 * parameter is validated (400 with the reason) and bound, never spliced.
 */
import { Hono } from 'hono';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { httpError } from '../../common/http-error.ts';
import { ParamError, parseParams } from './params.ts';
import { QUERIES } from './queries.ts';
import { own } from '../../common/own.ts';
import { isLimitError } from '../../clickhouse/errors.ts';
import { errorMessage } from '../../common/errors.ts';

export function statsRoutes(deps: { ch: ClickHouse; extra?: (name: string) => Record<string, unknown> }): Hono {
  const app = new Hono();
  app.get('/api/stats', (c) => c.json({ queries: Object.keys(QUERIES) }));
  app.get('/api/stats/:name', async (c) => {
    const name = c.req.param('name');
    const query = own(QUERIES, name);
    if (!query) throw httpError(404, 'unknown_query', `no query named "${name.slice(0, 60)}"; GET /api/stats lists them`);
    let params;
    try {
      params = parseParams(c.req.query(), Date.now(), query.needsSite);
    } catch (err) {
      if (err instanceof ParamError) throw httpError(400, err.code, err.message);
      throw err;
    }
    // All time: every minute a DateTime column can hold (1970 to 2106), and no range to echo.
    const allTime = query.allTime === true && c.req.query('from') === undefined && c.req.query('to') === undefined;
    if (allTime) params = { ...params, from: 0, to: Date.UTC(2106, 0, 1) };
    if (params.traffic === 'bots' && !query.bots) throw httpError(400, 'invalid_parameter', `traffic=bots is answered by ${Object.entries(QUERIES).filter(([, q]) => q.bots).map(([n]) => n).join(', ')} only`);
    const { source, data } = await query.run(deps.ch, params).catch((err: unknown) => {
      if (isLimitError(err)) throw httpError(422, 'query_too_expensive', `this query went past its limits (DASHBOARD_QUERY_MAX_SECONDS, DASHBOARD_QUERY_MAX_MEMORY_MB): choose a shorter range or fewer filters. ${errorMessage(err).slice(0, 200)}`);
      throw err;
    });
    c.header('cache-control', 'no-store');
    const iso = (ms: number) => (allTime ? null : new Date(ms).toISOString());
    return c.json({ query: name, source, from: iso(params.from), to: iso(params.to), bucket: params.bucket, data, ...deps.extra?.(name) });
  });
  return app;
}
