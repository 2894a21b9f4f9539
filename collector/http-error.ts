/**
 * The one place errors become HTTP responses (after hono's http-exception.ts):
 * every refusal is JSON with a stable machine-readable `error` code and a
 * `message` that says what to do.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Context } from 'hono';
import { BusUnavailableError, errorMessage } from '../common/errors.ts';
import { log } from '../common/log.ts';

export function httpError(status: ContentfulStatusCode, error: string, message: string, headers?: Record<string, string>): HTTPException {
  const res = new Response(JSON.stringify({ error, message }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
  return new HTTPException(status, { res, message });
}

export function handleError(err: Error, c: Context): Response {
  if (err instanceof HTTPException) return err.getResponse();
  if (err instanceof BusUnavailableError) {
    // Never acknowledge what may be lost: tell the sender to come back.
    return httpError(503, 'unavailable', `hits not accepted: ${err.message}`, { 'retry-after': '5' }).getResponse();
  }
  log.error('unexpected error in collector', { path: c.req.path, error: errorMessage(err) });
  return httpError(500, 'internal', 'unexpected error; nothing from this request was accepted').getResponse();
}
