/**
 * What the watchdog (watchdog.ts) reads of a consumer's handlers: which
 * partitions have a batch handler running now, and since when. A partition
 * counts as handling from the first of its calls to start (a prepare, or a
 * load while the next batch is prepared) until the last of them returns.
 */
import type { TwoPhaseHandler } from '../bus.ts';

/** The handler, with its calls for `partition` — a prepare or a load — in `handling` (since when) while they run. */
export function watched(handler: TwoPhaseHandler, partition: number, handling: Map<number, number>): TwoPhaseHandler {
  let running = 0;
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    if (running++ === 0) handling.set(partition, Date.now());
    try {
      return await work();
    } finally {
      if (--running === 0) handling.delete(partition);
    }
  };
  return {
    prepare: (batch) =>
      track(() => handler.prepare(batch)).then((p) => ({ load: () => track(() => p.load()), discard: () => p.discard() })),
  };
}
