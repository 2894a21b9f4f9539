/**
 * Counts every intake request the collector refuses, by reason, in one
 * place: a limit's or rule's own reason (client_rate, origin…), the error
 * code of any other 4xx, and `unavailable` / `insufficient_storage` /
 * `internal` for a bus or disk that could not take the hits. /readyz and
 * /metrics read the counts; the alert evaluator reads them from
 * pipeline_health. Counting after the fact keeps the routes free of it.
 */
import type { MiddlewareHandler } from 'hono';
import { BusUnavailableError, InsufficientStorageError } from '../common/errors.ts';
import { HttpRefusal } from '../common/http-error.ts';
import type { ServerEnv } from '../server/env.ts';

export function refusalReason(err: Error): string {
  if (err instanceof HttpRefusal) return err.reason;
  if (err instanceof InsufficientStorageError) return 'insufficient_storage';
  if (err instanceof BusUnavailableError) return 'unavailable';
  return 'internal';
}

export function countRefusal(refused: Record<string, number>, err: Error): void {
  const reason = refusalReason(err);
  refused[reason] = (refused[reason] ?? 0) + 1;
}

export function countRefusals(refused: Record<string, number>): MiddlewareHandler<ServerEnv> {
  return async function countRefusals(c, next) {
    await next();
    if (c.error) countRefusal(refused, c.error);
  };
}
