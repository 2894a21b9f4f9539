/**
 * What the consumer does with one fetch of a partition (kafkajs eachBatch):
 * cuts it into bus batches — first the ranges recorded in flight, exactly as
 * recorded — and runs them through the shared pipeline (bus/pipeline.ts):
 * each new range recorded in the committed offset's metadata before it is
 * prepared, the next batch prepared while the last one loads, offsets
 * committed in order once loaded. The metadata always lists the ranges in
 * flight (recorded-ranges.ts), so whoever owns the partition next redoes
 * them in order under the same tokens.
 */
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { TwoPhaseHandler } from '../bus.ts';
import { logFailedBatch } from '../deliver.ts';
import type { FailingBatches } from '../failing-batches.ts';
import { runPipeline, type PipelineStep } from '../pipeline.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { busBatchOf, cut, cutRecorded } from './cut-batch.ts';
import { turnIsOver } from './fetch-turn.ts';
import { watched } from './watched-handler.ts';
import { commitOffsets, isGroupError } from './group-errors.ts';
import { offsetAfter } from './past-markers.ts';
import { readRecorded, recordedMetadata, type Range } from './recorded-ranges.ts';

/** What the consumer keeps per partition across fetches; `recorded` is read afresh after each join. */
export interface ConsumerState {
  group: string;
  /** The ranges the partition's committed offset records in flight, in order. */
  recorded: Map<number, Range[]>;
  shortFetches: Map<number, number>;
  /** Partitions whose handler (a prepare or a load) runs now, and since when (ms). */
  handling: Map<number, number>;
  committedAt: Map<number, number>;
  abandoned: () => boolean;
}

export interface FetchDelivery {
  consumer: Consumer;
  admin: Admin;
  handler: TwoPhaseHandler;
  maxRecords: number;
  failing: FailingBatches;
  state: ConsumerState;
  /** How long the partition takes new batches from one fetch (fetch-turn.ts). */
  turnMs: number;
}

const abandonedError = () => new ScalehouseError('this consumer was abandoned by the watchdog', { retriable: false });

export async function deliverFetch(d: FetchDelivery, payload: EachBatchPayload): Promise<void> {
  const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
  const { consumer, state } = d;
  const { topic, partition } = batch;
  if (!state.recorded.has(partition)) state.recorded.set(partition, await readRecorded(d.admin, state.group, topic, partition));
  const recorded = () => state.recorded.get(partition) ?? [];
  const keepTrying = () => isRunning() && !isStale() && !state.abandoned();
  // Recorded ranges not yet taken from this fetch, in order.
  let redo = [...recorded()];
  let messages: KafkaMessage[] = batch.messages;
  let taken = 0;
  const startedAt = Date.now();

  const take = async (): Promise<PipelineStep | undefined> => {
    if (!messages.length || !keepTrying()) return undefined;
    // Its turn over, the partition lets the fetch end so its siblings are fetched again (fetch-turn.ts);
    // what it leaves of this fetch, the next fetch brings again from the committed offset.
    if (turnIsOver({ startedAt, taken, turnMs: d.turnMs }, Date.now())) return undefined;
    const from = Number(messages[0]!.offset);
    // A recorded range that is not where this fetch is: dropped, as a new range recorded would overwrite it.
    if (redo.length && redo[0]!.from !== from) {
      state.recorded.set(
        partition,
        recorded().filter((r) => !redo.includes(r)),
      );
      redo = [];
    }
    const intent = redo[0];
    const recordedCut = intent && cutRecorded(messages, intent);
    const chunk = recordedCut ? recordedCut.chunk : cut(messages, d.maxRecords);
    if (recordedCut?.short) {
      // The fetch stopped short of the recorded range (fetch size shared by partitions): fetch again
      // from its start rather than load a different range under a different token. Behind a batch of
      // this fetch, just stop here: that one commits, and the next fetch starts at this range.
      if (taken > 0) return undefined;
      const tries = (state.shortFetches.get(partition) ?? 0) + 1;
      state.shortFetches.set(partition, tries);
      if (tries <= 20) {
        consumer.seek({ topic, partition, offset: String(from) });
        return undefined;
      }
      log.warn('Kafka keeps returning less than a recorded batch; loading what came, its tail may be counted twice', {
        topic,
        partition,
        ...intent,
      });
    }
    state.shortFetches.delete(partition);
    if (intent) redo.shift();
    taken++;
    const endsFetch = chunk.length === messages.length;
    messages = messages.slice(chunk.length);
    const busBatch = busBatchOf(topic, partition, chunk);
    const range = { from, to: Number(chunk.at(-1)!.offset) };
    return {
      batch: busBatch,
      // The range goes into the committed offset's metadata, after the one in flight (the offset does not move).
      save: intent
        ? undefined
        : async () => {
            if (state.abandoned()) throw abandonedError();
            const ranges = [...recorded(), range];
            await commitOffsets(consumer, [{ topic, partition, offset: String(ranges[0]!.from), metadata: recordedMetadata(ranges) }]);
            state.recorded.set(partition, ranges);
          },
      commit: async () => {
        // A handler that returns after the watchdog gave up on it: the partition's next owner redoes
        // this range under the same token and commits it in order; a late commit here could move the
        // offset back behind theirs (the broker would refuse a stale member's commit too).
        if (state.abandoned()) throw abandonedError();
        const next = offsetAfter(range.to, Number(batch.lastOffset()), endsFetch);
        const rest = recorded().filter((r) => r.from !== range.from);
        resolveOffset(String(next - 1));
        await commitOffsets(consumer, [{ topic, partition, offset: String(next), metadata: recordedMetadata(rest) }]);
        state.committedAt.set(partition, Date.now());
        state.recorded.set(partition, rest);
        d.failing.cleared(busBatch.stream);
        await heartbeat();
      },
    };
  };

  try {
    await runPipeline({
      handler: watched(d.handler, partition, state.handling),
      take,
      keepTrying,
      onFailure: async (b, err, attempt, retriable) => {
        // What an abandoned consumer's handler does is no longer news: its successor reports the stream.
        if (state.abandoned()) return;
        d.failing.failed(b.stream, b.token, err, retriable);
        logFailedBatch(b.token, attempt, err, retriable);
        // A heartbeat refused because the group rebalances (or dropped this member) ends the retries: the
        // runner joins again, the ranges stay recorded for whoever owns the partition next. Swallowed, the
        // whole group would wait for this member, consuming nothing, until its rebalance timeout (60 s).
        await heartbeat().catch((e: unknown) => {
          if (isGroupError(e)) throw e;
        });
      },
    });
  } finally {
    // Loaded, failed for good, or stopping or rebalanced: the ranges stay recorded, the next owner redoes
    // them (and says if they fail there). Either way no batch of this partition fails here any more,
    // unless the watchdog abandoned this consumer: its successor reports the stream.
    if (!state.abandoned()) d.failing.cleared(`${topic}:${partition}`);
  }
}
