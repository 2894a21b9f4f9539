/**
 * Times every request the server answers, for `http_request_duration_seconds`
 * (server/metrics.ts): labelled by the route pattern that answered
 * (`/api/stats/:name`, never the raw path, so no label grows with what
 * clients send) and the status class. Until the handler returns its
 * Response: a stream (the realtime view's events) counts to its start.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';

export type ObserveRequest = (route: string, status: number, seconds: number) => void;

/** What a request is counted under: the pattern of the route that answered, or `unmatched` when none did (404, 405). */
export function routeLabel(c: Context): string {
  const route = matchedRoutes(c)[c.req.routeIndex];
  if (!route) return 'unmatched';
  // A middleware (method ALL) that answered itself — a CORS preflight, the login guard — is named by its
  // pattern; one that passed the request on to nothing left it to the 404 or 405 of server/app.ts.
  if (route.method === 'ALL' && (c.res.status === 404 || c.res.status === 405)) return 'unmatched';
  return route.path;
}

export function requestTiming(observe: ObserveRequest): MiddlewareHandler {
  return async function timeRequest(c, next) {
    const started = performance.now();
    await next();
    observe(routeLabel(c), c.res.status, (performance.now() - started) / 1000);
  };
}
