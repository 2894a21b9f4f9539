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

export interface Delivery {
  /** Records the range before handling; absent when it is already recorded (a redo). */
  save?: () => Promise<void>;
  handle: () => Promise<void>;
  commit: () => Promise<void>;
  keepTrying: () => boolean;
  /** Sees each failure before the retry (to log it, heartbeat, or rethrow to give up). */
  onFailure: (err: unknown, attempt: number) => void | Promise<void>;
}

/** True once handled and committed; false if it stopped trying (the range stays recorded for a redo). */
export async function deliver(d: Delivery): Promise<boolean> {
  await d.save?.();
  if (!(await retryWithBackoff(d.handle, d.keepTrying, d.onFailure))) return false;
  await d.commit();
  return true;
}
