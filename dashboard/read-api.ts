/**
 * The dashboard's read API (the named queries, api/routes.ts) as an app of its
 * own, for what answers from it by path: CSV export
 * (export/read-in-format.ts) and shared links (share/routes.ts), which ask it
 * with parameters of their choosing. Its errors are thrown on to the caller,
 * so they reach the server's one error handler as any route's would.
 */
import { Hono } from 'hono';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { notFound } from '../server/handle-error.ts';
import { statsRoutes } from './api/routes.ts';

export function readApi(ch: ClickHouse): Hono {
  const app = new Hono();
  app.route('/', statsRoutes({ ch }));
  app.notFound(() => notFound());
  app.onError((err) => { throw err; });
  return app;
}
