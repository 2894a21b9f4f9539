/**
 * Every refusal, from any role, is JSON with a stable machine-readable `error`
 * code and a `message` that says what to do (after hono's http-exception.ts).
 * Routes throw these; the server's error handler (server/handle-error.ts)
 * turns them into responses.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export function httpError(status: ContentfulStatusCode, error: string, message: string, headers?: Record<string, string>): HTTPException {
  const res = new Response(JSON.stringify({ error, message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
  return new HTTPException(status, { res, message });
}
