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
 */
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { BatchHandler, BusBatch, BusRecord } from '../bus.ts';
import { deliver, logFailedBatch } from '../deliver.ts';
import type { FailingBatches } from '../failing-batches.ts';
import { log } from '../../common/log.ts';
import type { KafkaConfig } from './kafka-client.ts';
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
  const lag = new Map<number, number>();
  const shortFetches = new Map<number, number>();
  // A rebalance may hand us partitions another processor left half-done: read their intents afresh.
  consumer.on(consumer.events.GROUP_JOIN, () => intents.clear());
  // kafkajs logs a crash at its ERROR level, which the bus keeps at debug (kafka-client.ts): say it here.
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    (payload.restart ? log.warn : log.error)(
      payload.restart ? 'the Kafka consumer crashed; kafkajs restarts it' : 'the Kafka consumer crashed and will not restart',
      { error: payload.error.message },
    ),
  );

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
                  await commitOffsets(consumer, [{ topic, partition, offset: String(from), metadata: JSON.stringify({ from, to }) }]);
                  intents.set(partition, { from, to });
                },
          handle: () => handler(busBatch),
          commit: async () => {
            resolveOffset(String(to));
            await commitOffsets(consumer, [{ topic, partition, offset: String(to + 1), metadata: null }]);
            intents.set(partition, null);
          },
          keepTrying: () => isRunning() && !isStale(),
          onFailure: async (err, attempt, retriable) => {
            failing.failed(busBatch.stream, busBatch.token, err, retriable);
            logFailedBatch(busBatch.token, attempt, err, retriable);
            // A heartbeat refused because the group rebalances (or dropped this member) ends the retries: the
            // runner joins again, the range stays recorded for whoever owns the partition next. Swallowed, the
            // whole group would wait for this member, consuming nothing, until its rebalance timeout (60 s).
            await heartbeat().catch((err: unknown) => {
              if (isGroupError(err)) throw err;
            });
          },
        }).finally(() => failing.cleared(busBatch.stream));
        if (!done) return;
        messages = messages.slice(chunk.length);
        await heartbeat();
      }
      lag.set(partition, Number(batch.offsetLag()));
    },
  });

  return {
    lag: () => [...lag.values()].reduce((a, b) => a + b, 0),
    stop: async () => {
      await consumer.disconnect(); // waits for the running batch, then leaves the group
      await admin.disconnect();
    },
  };
}
