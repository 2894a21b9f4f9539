/**
 * The delivery loop every consumer of hits shares — the local bus, the Kafka
 * consumer and `scalehouse tail`:
 *   1. save: record the range about to be handled (where the caller is not
 *      redoing an already recorded one), so a crash redelivers exactly it,
 *      under the same deduplication token;
 *   2. handle it, retrying with backoff for as long as `keepTrying()` holds;
 *   3. commit: move the position past it, only once it was handled.
 * Each caller supplies its own save and commit (a checkpoint file, Kafka
 * offset metadata, a tail state file).
 */
import { retryWithBackoff } from '../common/backoff.ts';
import { errorMessage, isRetriable } from '../common/errors.ts';
import { log } from '../common/log.ts';

export interface Delivery {
  /** Records the range before handling; absent when it is already recorded (a redo). */
  save?: () => Promise<void>;
  handle: () => Promise<void>;
  commit: () => Promise<void>;
  keepTrying: () => boolean;
  /**
   * Sees each failure before the retry (to log it, heartbeat, or rethrow to give up), with whether
   * a retry can cure it (common/errors.ts isRetriable: the error says so where it was made).
   */
  onFailure: (err: unknown, attempt: number, retriable: boolean) => void | Promise<void>;
}

/** True once handled and committed; false if it stopped trying (the range stays recorded for a redo). */
export async function deliver(d: Delivery): Promise<boolean> {
  await d.save?.();
  if (!(await retryWithBackoff(d.handle, d.keepTrying, (err, attempt) => d.onFailure(err, attempt, isRetriable(err))))) return false;
  await d.commit();
  return true;
}

/**
 * How a bus consumer reports a failed attempt at a batch. It retries either way: a batch is never
 * skipped, the hits behind it wait (bus/failing-batches.ts). But an error no retry cures (a bug,
 * rows refused whole) will not go away by waiting, and the log says so at error level.
 */
export function logFailedBatch(token: string, attempt: number, err: unknown, retriable: boolean): void {
  if (retriable) log.warn('batch not loaded, will retry', { batch: token, attempt, error: errorMessage(err) });
  else
    log.error('batch not loaded, and a retry alone will not cure it: the batch holds its stream until the cause is fixed', {
      batch: token,
      attempt,
      error: errorMessage(err),
    });
}
