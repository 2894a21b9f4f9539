/**
 * The one place errors become HTTP responses: routes throw httpError()
 * (common/http-error.ts); a bus that cannot take hits means 503 with
 * Retry-After; anything else is a logged 500 that says nothing was accepted,
 * logged as the error of the role whose route failed (roleErrorHandler).
 */
import { HTTPException } from 'hono/http-exception';
import type { Context, ErrorHandler } from 'hono';
import { BusUnavailableError, InsufficientStorageError, errorMessage } from '../common/errors.ts';
import { httpError } from '../common/http-error.ts';
import { log } from '../common/log.ts';

/**
 * The error handler of one role's routes (`app.onError(roleErrorHandler('dashboard'))`): Hono
 * runs a mounted app's own handler for errors of its routes (`app.route()`), so a 500 is logged
 * as that role's, not as the collector's. The server's own routes (health, metrics, shared
 * middleware) fall back to handleError, as `server`.
 */
export const roleErrorHandler =
  (role: string): ErrorHandler =>
  (err, c) =>
    handleError(err, c, role);

export function handleError(err: Error, c: Context, role = 'server'): Response {
  return refusalFor(err, { role, method: c.req.method, path: c.req.path }).getResponse();
}

/**
 * What an error is answered with, for Hono's routes (handleError) and the routes answered straight
 * from Node (server/answer-direct.ts) alike; an unexpected one is logged here, once.
 */
export function refusalFor(err: Error, where: { role: string; method: string; path: string }): HTTPException {
  if (err instanceof HTTPException) return err;
  if (err instanceof InsufficientStorageError) {
    // RFC 4918 §11.5: the server cannot store what is needed to complete the request.
    return httpError(507, 'insufficient_storage', `hits not accepted: ${err.message}`, { 'retry-after': '30' });
  }
  if (err instanceof BusUnavailableError) {
    // Never acknowledge what may be lost: tell the sender to come back.
    return httpError(503, 'unavailable', `hits not accepted: ${err.message}`, { 'retry-after': '5' });
  }
  log.error(`unexpected error in ${where.role}`, { method: where.method, path: where.path, error: errorMessage(err) });
  return httpError(500, 'internal', 'unexpected error; nothing from this request was accepted');
}

export function notFound(): Response {
  return httpError(404, 'not_found', 'no such endpoint; see the README for the API').getResponse();
}
