/**
 * The one HTTP server of every role: the collector's intake, health, and the
 * dashboard mount their routes on it. It owns what they share — the client
 * address (after trusted-proxy handling), JSON 404s and 405s (a known path
 * asked with a method it does not take) and the error handler —
 * so no role builds a second copy.
 */
import { Hono, type Context } from 'hono';
import { answerDirect, type AnswerDirect } from './answer-direct.ts';
import { clientAddressMiddleware } from './client-address.ts';
import { directRoutesOf } from './direct-route.ts';
import type { ServerEnv } from './env.ts';
import { handleError, notFound } from './handle-error.ts';
import { allowedMethods, methodNotAllowed } from './method-not-allowed.ts';
import { requestTiming, type ObserveRequest } from './request-timing.ts';
import { trustedProxy } from './trusted-proxy.ts';

export interface ServerOptions {
  trustedProxies: string[];
  /** The socket's peer address; the Node adapter supplies it (server/listen.ts), tests may too. */
  peerAddress: (c: Context) => string;
  /** The roles' routes, in order. */
  routes: Hono<ServerEnv>[];
  /** Sees each request answered: its route pattern, status and time (http_request_duration_seconds). */
  observeRequest?: ObserveRequest;
}

/** The server's Hono app, and what it answers straight from Node before Hono (server/direct-route.ts). */
export type ServerApp = Hono<ServerEnv> & { answerDirect: AnswerDirect };

export function createServerApp(opts: ServerOptions): ServerApp {
  const app = new Hono<ServerEnv>();
  const isTrusted = trustedProxy(opts.trustedProxies);
  // First, so the time covers every other middleware too.
  if (opts.observeRequest) app.use('*', requestTiming(opts.observeRequest));
  app.use('*', clientAddressMiddleware({ isTrusted, peerAddress: opts.peerAddress }));
  for (const routes of opts.routes) app.route('/', routes);
  let allowed: ((path: string) => string[]) | undefined;
  app.notFound((c) => {
    // Routes are all mounted by now; what each path takes is worked out once, at the first miss.
    allowed ??= allowedMethods(app.routes);
    const allow = allowed(c.req.path);
    return allow.length > 0 ? methodNotAllowed(c.req.method, c.req.path, allow) : notFound();
  });
  app.onError(handleError);
  const routes = opts.routes.flatMap(directRoutesOf);
  return Object.assign(app, { answerDirect: answerDirect({ ...opts, routes, isTrusted }) });
}
