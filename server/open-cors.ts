/**
 * CORS for an endpoint any site's pages may call (the beacon): every origin,
 * no credentials. Hono's cors middleware reads `c.res` before the handler
 * runs, which makes the adapter build a full web Response for every beacon
 * and copy it into the handler's; here the header goes into the prepared
 * headers instead, and a preflight is answered directly.
 */
import type { MiddlewareHandler } from 'hono';

export function openCors(opts: { methods: string[]; maxAgeSeconds: number }): MiddlewareHandler {
  const methods = opts.methods.join(',');
  return async function cors(c, next) {
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': methods,
        'access-control-max-age': String(opts.maxAgeSeconds),
      };
      const asked = c.req.header('access-control-request-headers');
      if (asked) {
        headers['access-control-allow-headers'] = asked
          .split(',')
          .map((h) => h.trim())
          .join(',');
        headers.vary = 'Access-Control-Request-Headers';
      }
      return c.body(null, 204, headers);
    }
    c.header('access-control-allow-origin', '*');
    await next();
  };
}
