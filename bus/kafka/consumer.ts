/**
 * The processors' side of Kafka: one consumer group, batches cut per partition,
 * offsets committed only after the handler (the ClickHouse insert) succeeded.
 *
 * Exactly once in ClickHouse needs the same batch — same first and last
 * offset, hence same deduplication token — to come back after a crash or a
 * rebalance. So before a batch is prepared, its range is written into the
 * partition's committed-offset metadata beside the one still loading (the
 * offset itself does not move; recorded-ranges.ts); whoever next owns the
 * partition reads them and cuts exactly those ranges first, in order
 * (deliver-fetch.ts). Batches are bounded in records and bytes, well below
 * what one fetch returns (cut-batch.ts), so a re-fetch from the same offset
 * reaches the end of the recorded range. Within a fetch, the next batch of a
 * partition is prepared while the last one loads (bus/pipeline.ts); kafkajs
 * hands up to four partitions at once, and fetches again only when all are
 * done, so each takes new batches from a fetch for a turn only
 * (fetch-turn.ts).
 *
 * Lag is not measured here (the last fetched batch cannot see a consumer that
 * stopped fetching): group-lag-poller.ts reads it from the broker. This side
 * says what the watchdog (watchdog.ts) needs: which partitions it was
 * assigned, and which batch handlers run since when; and it can be abandoned
 * — left behind with a handler that never returns, committing nothing more.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { BatchHandler, TwoPhaseHandler } from '../bus.ts';
import { twoPhase } from '../pipeline.ts';
import type { FailingBatches } from '../failing-batches.ts';
import { log } from '../../common/log.ts';
import type { KafkaConfig } from './kafka-client.ts';
import { commitFilteredFetches } from './past-markers.ts';
import { FETCH_BYTES_PER_PARTITION } from './cut-batch.ts';
import { deliverFetch, type ConsumerState } from './deliver-fetch.ts';
import { fetchTurnMs } from './fetch-turn.ts';

export async function runConsumer(
  kafka: Kafka,
  cfg: KafkaConfig,
  handler: BatchHandler | TwoPhaseHandler,
  maxRecords: number,
  failing: FailingBatches,
) {
  const consumer: Consumer = kafka.consumer({
    groupId: cfg.KAFKA_GROUP,
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    maxBytes: 4 * FETCH_BYTES_PER_PARTITION,
    sessionTimeout: cfg.KAFKA_SESSION_TIMEOUT_MS,
    // Kafka's consumer default: heartbeats at a tenth of the session timeout (3 s for 30 s).
    heartbeatInterval: Math.round(cfg.KAFKA_SESSION_TIMEOUT_MS / 10),
    // kafkajs heartbeats after each fetch, and a fetch that finds nothing waits this long on the broker first
    // (5 s by default): an idle processor learned of a rebalance — a dead member's partitions to take over —
    // only that late, and the whole group waits for its rejoin (tests/kafka/hand-over.test.ts: 10 s after a
    // 6 s session, 6.x s with this). Hits that arrive end the wait at once, so only idle polling costs more.
    maxWaitTimeInMs: Math.min(1000, Math.round(cfg.KAFKA_SESSION_TIMEOUT_MS / 10)),
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.KAFKA_TOPIC, fromBeginning: true });
  let own: number[] = [];
  let joinedAt = Date.now();
  let abandoned = false;
  const state: ConsumerState = {
    group: cfg.KAFKA_GROUP,
    recorded: new Map(),
    shortFetches: new Map(),
    handling: new Map(),
    committedAt: new Map(),
    abandoned: () => abandoned,
  };
  // A rebalance may hand us partitions another processor left half-done: read their recorded ranges afresh.
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    state.recorded.clear();
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

  // Each partition takes new batches from a fetch for a turn only: kafkajs fetches again once every
  // partition of the last fetch is done, and a partition that had little in it waits for that (fetch-turn.ts).
  const turnMs = fetchTurnMs(cfg.KAFKA_STALL_SECONDS * 1000);
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 4,
    eachBatch: (payload) => deliverFetch({ consumer, admin, handler: twoPhase(handler), maxRecords, failing, state, turnMs }, payload),
  });

  return {
    /** When it last joined the group (ms): from then on, its partitions are its to move. */
    joinedAt: () => joinedAt,
    /** The partitions of the topic this consumer was assigned at its last join. */
    own: () => own,
    /** Partitions whose batch handler runs now, and since when (ms). */
    handling: () => state.handling as ReadonlyMap<number, number>,
    /** When it last committed a batch of each partition (ms): progress the last poll of the broker may not show yet. */
    committedAt: () => state.committedAt as ReadonlyMap<number, number>,
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
