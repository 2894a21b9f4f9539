/**
 * The one HTTP server of every role: the collector's intake, health, and the
 * dashboard mount their routes on it. It owns what they share — the client
 * address (after trusted-proxy handling), JSON 404s and the error handler —
 * so no role builds a second copy.
 */
import { Hono, type Context } from 'hono';
import { clientAddressMiddleware } from './client-address.ts';
import type { ServerEnv } from './env.ts';
import { handleError, notFound } from './handle-error.ts';

export interface ServerOptions {
  trustedProxies: string[];
  /** The socket's peer address; the Node adapter supplies it (server/listen.ts), tests may too. */
  peerAddress: (c: Context) => string;
  /** The roles' routes, in order. */
  routes: Hono<ServerEnv>[];
}

export function createServerApp(opts: ServerOptions): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.use('*', clientAddressMiddleware(opts));
  for (const routes of opts.routes) app.route('/', routes);
  app.notFound(notFound);
  app.onError(handleError);
  return app;
}
