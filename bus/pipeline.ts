/**
 * The delivery loop of a bus stream (the local log; a Kafka partition) with
 * a two-phase handler (bus.ts TwoPhaseHandler): batch N+1 is recorded and
 * prepared while batch N loads, so processing (JavaScript, the processor
 * thread) and loading (the engine, off that thread) overlap. deliver.ts's
 * loop, in two phases:
 *   1. save: record a range before it is prepared (where it is not a redo of
 *      a recorded one), so a crash redoes it under the same token — at most
 *      two ranges of a stream are recorded at a time;
 *   2. prepare it, then load it, retrying with backoff while `keepTrying()`;
 *   3. commit it once loaded, strictly in order: N+1 loads only after N is
 *      committed.
 * A batch prepared on top of one whose load failed is never loaded: the
 * handler's state behind it is not what ClickHouse holds. It is discarded,
 * the failed batch is prepared and loaded again, and then it is prepared
 * again — the same recorded range, the same token.
 */
import { backoff } from '../common/backoff.ts';
import { errorMessage, isRetriable } from '../common/errors.ts';
import { log } from '../common/log.ts';
import type { BatchHandler, BusBatch, PreparedBatch, TwoPhaseHandler } from './bus.ts';

export interface PipelineStep {
  batch: BusBatch;
  /** Records the range before it is prepared; absent when it is already recorded (a redo). */
  save?: () => Promise<void>;
  /** Moves the position past it, once it is loaded (the batch before it is committed by then). */
  commit: () => Promise<void>;
}

export interface Pipeline {
  handler: TwoPhaseHandler;
  /** The stream's next batch that is there now, in order; undefined when there is none (yet), or when stopping. */
  take: () => Promise<PipelineStep | undefined>;
  keepTrying: () => boolean;
  /** Sees each failure of a batch before the retry (to log it, heartbeat, or rethrow to give up). */
  onFailure: (batch: BusBatch, err: unknown, attempt: number, retriable: boolean) => void | Promise<void>;
}

interface Slot {
  step: PipelineStep;
  prepared?: Promise<PreparedBatch>;
}

/** A one-phase handler as a two-phase one: prepare does nothing, so its batches do not overlap. */
export function twoPhase(handler: BatchHandler | TwoPhaseHandler): TwoPhaseHandler {
  if (typeof handler !== 'function') return handler;
  return { prepare: async (batch) => ({ load: () => handler(batch), discard: async () => {} }) };
}

/** Awaited later, or never (a prepare left behind when stopping): no unhandled rejection meanwhile. */
function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

async function discard(slot: Slot | undefined): Promise<void> {
  const prepared = slot?.prepared;
  if (!prepared) return;
  slot.prepared = undefined;
  await prepared
    .then((p) => p.discard())
    .catch((err: unknown) =>
      log.warn('a prepared batch could not be discarded', { batch: slot.step.batch.token, error: errorMessage(err) }),
    );
}

/**
 * Delivers the stream's batches until none is there: true once every batch taken is committed; false
 * if it stopped trying (the ranges it recorded stay recorded for a redo). Throws what take or commit
 * throws (reading the bus, recording a range).
 */
export async function runPipeline(p: Pipeline): Promise<boolean> {
  const record = async (step: PipelineStep): Promise<Slot> => {
    await step.save?.();
    return { step, prepared: later(p.handler.prepare(step.batch)) };
  };
  const first = await p.take();
  let current: Slot | undefined = first && (await record(first));
  let ahead: Slot | undefined;
  try {
    for (let attempt = 0; current; ) {
      const slot: Slot = current;
      let taken: Promise<Slot | undefined> | undefined;
      let failed = false;
      try {
        const prepared = await (slot.prepared ??= later(p.handler.prepare(slot.step.batch)));
        // Its state is advanced: the next batch may be prepared on top of it while it loads.
        taken = later(ahead ? Promise.resolve(ahead) : p.take().then((s) => s && record(s)));
        // A failed take or record (say a commit of the range refused by a rebalance) is thrown where `taken` is awaited.
        void taken.then(
          (a) => {
            if (a && !failed) a.prepared ??= later(p.handler.prepare(a.step.batch));
          },
          () => {},
        );
        await prepared.load();
        slot.prepared = undefined;
      } catch (err) {
        failed = true;
        slot.prepared = undefined;
        ahead = await taken;
        // Prepared on top of a batch that did not load: the handler's state behind it is not ClickHouse's.
        await discard(ahead);
        await p.onFailure(slot.step.batch, err, attempt, isRetriable(err));
        if (!p.keepTrying()) return false;
        await backoff(attempt++);
        if (!p.keepTrying()) return false;
        continue;
      }
      ahead = await taken;
      await slot.step.commit();
      attempt = 0;
      current = ahead;
      ahead = undefined;
      if (!p.keepTrying()) return false;
      if (!current) {
        const next = await p.take();
        current = next && (await record(next));
      }
    }
    return true;
  } finally {
    // Stopping, or a failure to read or record: what is prepared and not loaded lets go of what it holds.
    await discard(current);
    await discard(ahead);
  }
}
