/**
 * The processors' side of Kafka: one consumer group, batches cut per partition,
 * offsets committed only after the handler (the ClickHouse insert) succeeded.
 *
 * Exactly once in ClickHouse needs the same batch — same first and last
 * offset, hence same deduplication token — to come back after a crash or a
 * rebalance. So before handling a batch, its range is written into the
 * partition's committed-offset metadata (the offset itself does not move);
 * whoever next owns the partition reads it and cuts exactly that range first.
 * Batches are bounded in records and bytes, well below what one fetch returns
 * (maxBytesPerPartition), so a re-fetch from the same offset reaches the end
 * of the recorded range.
 *
 * Lag is not measured here (the last fetched batch cannot see a consumer that
 * stopped fetching): group-lag-poller.ts reads it from the broker. This side
 * says what the watchdog (watchdog.ts) needs: which partitions it was
 * assigned, and which batch handlers run since when; and it can be abandoned
 * — left behind with a handler that never returns, committing nothing more.
 */
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { BatchHandler, BusBatch, BusRecord } from '../bus.ts';
import { deliver, logFailedBatch } from '../deliver.ts';
import type { FailingBatches } from '../failing-batches.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { KafkaConfig } from './kafka-client.ts';
import { commitFilteredFetches, offsetAfter } from './past-markers.ts';
import { commitOffsets, isGroupError } from './group-errors.ts';

const FETCH_BYTES_PER_PARTITION = 16 * 1024 * 1024;
const BATCH_BYTES = 4 * 1024 * 1024;

interface Range {
  from: number;
  to: number;
}

async function readIntent(admin: Admin, group: string, topic: string, partition: number): Promise<Range | null> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const meta = offsets?.partitions.find((p) => p.partition === partition)?.metadata;
  if (!meta) return null;
  try {
    const r = JSON.parse(meta) as Range;
    return Number.isInteger(r.from) && Number.isInteger(r.to) ? r : null;
  } catch {
    return null;
  }
}

/** Takes messages from the start until maxRecords or BATCH_BYTES is reached. */
function cut(messages: KafkaMessage[], maxRecords: number): KafkaMessage[] {
  let bytes = 0;
  let n = 0;
  while (n < messages.length && n < maxRecords && (n === 0 || bytes + (messages[n]!.value?.length ?? 0) <= BATCH_BYTES)) {
    bytes += messages[n]!.value?.length ?? 0;
    n++;
  }
  return messages.slice(0, n);
}

export async function runConsumer(kafka: Kafka, cfg: KafkaConfig, handler: BatchHandler, maxRecords: number, failing: FailingBatches) {
  const consumer: Consumer = kafka.consumer({
    groupId: cfg.KAFKA_GROUP,
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    maxBytes: 4 * FETCH_BYTES_PER_PARTITION,
    sessionTimeout: cfg.KAFKA_SESSION_TIMEOUT_MS,
    // Kafka's consumer default: heartbeats at a tenth of the session timeout (3 s for 30 s).
    heartbeatInterval: Math.round(cfg.KAFKA_SESSION_TIMEOUT_MS / 10),
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.KAFKA_TOPIC, fromBeginning: true });
  const intents = new Map<number, Range | null>();
  const shortFetches = new Map<number, number>();
  const handling = new Map<number, number>();
  const committedAt = new Map<number, number>();
  let own: number[] = [];
  let joinedAt = Date.now();
  let abandoned = false;
  // A rebalance may hand us partitions another processor left half-done: read their intents afresh.
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    intents.clear();
    own = e.payload.memberAssignment[cfg.KAFKA_TOPIC] ?? [];
    joinedAt = Date.now();
  });
  // kafkajs logs a crash at its ERROR level, which the bus keeps at debug (kafka-client.ts): say it here.
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    (payload.restart ? log.warn : log.error)(
      payload.restart ? 'the Kafka consumer crashed; kafkajs restarts it' : 'the Kafka consumer crashed and will not restart',
      { error: payload.error.message },
    ),
  );
  commitFilteredFetches(consumer, cfg.KAFKA_TOPIC);

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const { topic, partition } = batch;
      if (!intents.has(partition)) intents.set(partition, await readIntent(admin, cfg.KAFKA_GROUP, topic, partition));
      let messages = batch.messages;
      while (messages.length && isRunning() && !isStale()) {
        const from = Number(messages[0]!.offset);
        const intent = intents.get(partition);
        let chunk: KafkaMessage[];
        if (intent && intent.from === from) {
          chunk = messages.filter((m) => Number(m.offset) <= intent.to);
          if (Number(chunk.at(-1)!.offset) < intent.to) {
            // The fetch stopped short of the recorded range (fetch size shared by partitions): fetch
            // again from its start rather than load a different range under a different token.
            const tries = (shortFetches.get(partition) ?? 0) + 1;
            shortFetches.set(partition, tries);
            if (tries <= 20) {
              consumer.seek({ topic, partition, offset: String(from) });
              return;
            }
            log.warn('Kafka keeps returning less than a recorded batch; loading what came, its tail may be counted twice', {
              topic,
              partition,
              ...intent,
            });
          }
          shortFetches.delete(partition);
        } else {
          chunk = cut(messages, maxRecords);
        }
        const to = Number(chunk.at(-1)!.offset);
        const records: BusRecord[] = chunk.map((m) => ({
          value: m.value?.toString('utf8') ?? '',
          raw: m.value ?? undefined,
          key: m.key?.toString('utf8'),
          offset: Number(m.offset),
          position: `${topic}:${partition}@${m.offset}`,
        }));
        const busBatch: BusBatch = { records, token: `kafka:${topic}:${partition}:${from}-${to}`, stream: `${topic}:${partition}` };
        // Loaded; or stopping or rebalanced: the intent stays, the next owner redoes exactly this range
        // (and says if it fails there). Either way no batch of this partition fails here any more.
        const done = await deliver({
          // The range goes into the committed offset's metadata (the offset itself does not move).
          save:
            intent?.from === from
              ? undefined
              : async () => {
                  if (abandoned) throw new ScalehouseError('this consumer was abandoned by the watchdog', { retriable: false });
                  await commitOffsets(consumer, [{ topic, partition, offset: String(from), metadata: JSON.stringify({ from, to }) }]);
                  intents.set(partition, { from, to });
                },
          handle: async () => {
            handling.set(partition, Date.now());
            try {
              await handler(busBatch);
            } finally {
              handling.delete(partition);
            }
          },
          commit: async () => {
            // A handler that returns after the watchdog gave up on it: the partition's next owner redoes
            // this range under the same token and commits it in order; a late commit here could move the
            // offset back behind theirs (the broker would refuse a stale member's commit too).
            if (abandoned) throw new ScalehouseError('this consumer was abandoned by the watchdog', { retriable: false });
            const next = offsetAfter(to, Number(batch.lastOffset()), chunk.length === messages.length);
            resolveOffset(String(next - 1));
            await commitOffsets(consumer, [{ topic, partition, offset: String(next), metadata: null }]);
            committedAt.set(partition, Date.now());
            intents.set(partition, null);
          },
          keepTrying: () => isRunning() && !isStale() && !abandoned,
          onFailure: async (err, attempt, retriable) => {
            // What an abandoned consumer's handler does is no longer news: its successor reports the stream.
            if (abandoned) return;
            failing.failed(busBatch.stream, busBatch.token, err, retriable);
            logFailedBatch(busBatch.token, attempt, err, retriable);
            // A heartbeat refused because the group rebalances (or dropped this member) ends the retries: the
            // runner joins again, the range stays recorded for whoever owns the partition next. Swallowed, the
            // whole group would wait for this member, consuming nothing, until its rebalance timeout (60 s).
            await heartbeat().catch((err: unknown) => {
              if (isGroupError(err)) throw err;
            });
          },
        }).finally(() => {
          // Loaded, failed for good, or stopping or rebalanced: the intent stays, the next owner redoes exactly
          // this range (and says if it fails there). Either way no batch of this partition fails here any more,
          // unless the watchdog abandoned this consumer: its successor reports the stream.
          if (!abandoned) failing.cleared(busBatch.stream);
        });
        if (abandoned) return;
        if (!done) return;
        messages = messages.slice(chunk.length);
        await heartbeat();
      }
    },
  });

  return {
    /** When it last joined the group (ms): from then on, its partitions are its to move. */
    joinedAt: () => joinedAt,
    /** The partitions of the topic this consumer was assigned at its last join. */
    own: () => own,
    /** Partitions whose batch handler runs now, and since when (ms). */
    handling: () => handling as ReadonlyMap<number, number>,
    /** When it last committed a batch of each partition (ms): progress the last poll of the broker may not show yet. */
    committedAt: () => committedAt as ReadonlyMap<number, number>,
    stop: async () => {
      if (abandoned) return; // already let go; its disconnect waits on the handler that never returned
      await consumer.disconnect(); // waits for the running batch, then leaves the group
      await admin.disconnect();
    },
    /**
     * Leaves the consumer behind without waiting for its running handler (disconnect would wait for
     * it forever): it stops fetching and commits nothing more. It cannot send its LeaveGroup while
     * the handler runs, so the broker drops it from the group at its session timeout.
     */
    abandon: () => {
      abandoned = true;
      void consumer.disconnect().catch(() => undefined);
      void admin.disconnect().catch(() => undefined);
    },
  };
}
