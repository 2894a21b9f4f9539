/**
 * Every refusal, from any role, is JSON with a stable machine-readable `error`
 * code and a `message` that says what to do (after hono's http-exception.ts).
 * Routes throw these; the server's error handler (server/handle-error.ts)
 * turns them into responses.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An HTTP refusal that knows its code and the reason it is counted under (/readyz, /metrics), and
 * keeps its body and headers as text, so a route answered straight from Node (server/direct-route.ts)
 * writes the same answer without reading a web Response.
 */
export class HttpRefusal extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    res: Response,
    message: string,
    readonly code: string,
    readonly reason: string,
    readonly body: string,
    readonly headers: Record<string, string>,
  ) {
    super(status, { res, message });
  }
}

/**
 * `reason` is what the refusal is counted as when the code alone is too coarse
 * (one public `rate_limited` code, counted as `client_rate` or `site_rate`).
 */
export function httpError(
  status: ContentfulStatusCode,
  error: string,
  message: string,
  headers?: Record<string, string>,
  reason = error,
): HttpRefusal {
  const body = JSON.stringify({ error, message });
  const all = { 'content-type': 'application/json; charset=utf-8', ...headers };
  return new HttpRefusal(status, new Response(body, { status, headers: all }), message, error, reason, body, all);
}
