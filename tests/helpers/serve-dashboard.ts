/** The dashboard's routes behind a real HTTP server on 127.0.0.1 (for clients that need a socket: SSE readers, fetch). */
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { listen } from '../../server/listen.ts';
import { handleError } from '../../server/handle-error.ts';

export async function serveDashboard(deps: Parameters<typeof dashboardRoutes>[0]): Promise<{ base: string; close: () => void }> {
  const app = new Hono();
  app.route(
    '/',
    dashboardRoutes(deps, () => '127.0.0.1'),
  );
  app.onError(handleError);
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
