/**
 * CORS for an endpoint any site's pages may call (the beacon): every origin,
 * no credentials. Hono's cors middleware reads `c.res` before the handler
 * runs, which makes the adapter build a full web Response for every beacon
 * and copy it into the handler's; here the header goes into the prepared
 * headers instead, and a preflight is answered directly. The same headers
 * serve the beacon answered straight from Node (server/answer-direct.ts).
 */
import type { MiddlewareHandler } from 'hono';

/** On every answer that is not a refusal: any page may read it. */
export const ANY_ORIGIN = 'access-control-allow-origin';

export interface OpenCors {
  methods: string[];
  maxAgeSeconds: number;
}

/** A preflight's answer headers (Fetch standard, CORS protocol): the request headers asked for are allowed as asked. */
export function preflightHeaders(opts: OpenCors, asked: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    [ANY_ORIGIN]: '*',
    'access-control-allow-methods': opts.methods.join(','),
    'access-control-max-age': String(opts.maxAgeSeconds),
  };
  if (asked) {
    headers['access-control-allow-headers'] = asked
      .split(',')
      .map((h) => h.trim())
      .join(',');
    headers.vary = 'Access-Control-Request-Headers';
  }
  return headers;
}

export function openCors(opts: OpenCors): MiddlewareHandler {
  return async function cors(c, next) {
    if (c.req.method === 'OPTIONS') return c.body(null, 204, preflightHeaders(opts, c.req.header('access-control-request-headers')));
    c.header(ANY_ORIGIN, '*');
    await next();
  };
}
