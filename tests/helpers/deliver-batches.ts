/**
 * Streams of hits (differential-input.ts) cut into bus batches and delivered to batch handlers as
 * the bus delivers them (bus/deliver.ts): each stream in order, the streams taking turns, every
 * batch under a token of its position. Optionally shuffled within the reorder window, and with
 * processors that die: after every `redoEvery`-th batch is loaded the processor dies before
 * committing it, and a new one (nothing in memory) restores the stream from ClickHouse and gets
 * that batch again; after every `restartEvery`-th the processor dies once it committed it, and a
 * new one restores the stream for the batch after.
 */
import type { BatchHandler, BusBatch } from '../../bus/bus.ts';
import { DEFAULT_REORDER_MS } from '../../processor/batch/sessionize.ts';
import { recordOf, type InputStream } from './differential-input.ts';
import { shuffleWithin } from './read-log.ts';

export interface Cut {
  batchSize: number;
  /** Shuffle each stream within the reorder window with this seed. */
  shuffle?: number;
  redoEvery?: number;
  restartEvery?: number;
}

export interface Delivery {
  batch: BusBatch;
  /** What happens to the processor once this batch is loaded. */
  then?: 'redo' | 'restart';
}

export function planDeliveries(streams: InputStream[], cut: Cut): Delivery[] {
  const perStream = streams.map(({ name, items }) => {
    const ordered = cut.shuffle === undefined ? items : shuffleWithin(items, DEFAULT_REORDER_MS, cut.shuffle);
    const records = ordered.map((item, i) => recordOf(item, name, i + 1));
    const batches: BusBatch[] = [];
    for (let i = 0; i < records.length; i += cut.batchSize)
      batches.push({
        records: records.slice(i, i + cut.batchSize),
        token: `${name}:${i + 1}`,
        stream: name,
        end: Math.min(i + cut.batchSize, records.length) + 1,
      });
    return batches;
  });
  const out: Delivery[] = [];
  for (let turn = 0; perStream.some((b) => turn < b.length); turn++)
    for (const batches of perStream) {
      const batch = batches[turn];
      if (!batch) continue;
      const k = out.length + 1;
      const then =
        cut.redoEvery && k % cut.redoEvery === 0 ? 'redo' : cut.restartEvery && k % cut.restartEvery === 0 ? 'restart' : undefined;
      out.push(then ? { batch, then } : { batch });
    }
  return out;
}

/** Delivers every batch to handlers made by `newHandler`, a new one after each death. */
export async function deliver(deliveries: Delivery[], newHandler: () => BatchHandler): Promise<void> {
  let handle = newHandler();
  for (const { batch, then } of deliveries) {
    await handle(batch);
    if (!then) continue;
    handle = newHandler();
    if (then === 'redo') await handle(batch);
  }
}
