/**
 * Offset commits that surface the group's refusal the way kafkajs' runner
 * acts on it. `consumer.commitOffsets` goes through kafkajs' retrier, and the
 * retrier wraps an error it may not retry in a KafkaJSNonRetriableError that
 * keeps the message but not the broker's error `type`. The broker refuses a
 * commit so when this member is no longer in the group's current generation:
 * dropped after its session timed out (a batch longer than
 * KAFKA_SESSION_TIMEOUT_MS, during which kafkajs sends no heartbeat; a broker
 * paused that long) or the group rebalancing. Thrown from eachBatch wrapped,
 * the runner does not recognise a rebalance and crashes the consumer, and
 * does not restart it (the cause is not retriable: kafkajs
 * consumer/index.js onCrash) — the processor stops consuming for good while
 * the process looks healthy. With the broker's error itself, the runner joins
 * the group again (kafkajs consumer/runner.js scheduleFetchManager: a
 * rebalance error, or UNKNOWN_MEMBER_ID), as it does when a heartbeat is
 * refused; the batch's range stays recorded, and whoever owns the partition
 * next redoes exactly it.
 */
import type { Consumer } from 'kafkajs';

/** The broker's error codes (kafkajs `type`) that mean: join the group again. */
const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

/** The group error inside `err`'s chain of causes, if there is one; else `err`. */
export function groupCause(err: unknown): unknown {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (REJOIN.has((e as { type?: string }).type ?? '')) return e;
  }
  return err;
}

/** Whether `err` (or a cause of it) is the group's: this member must join again before it goes on. */
export const isGroupError = (err: unknown): boolean => REJOIN.has((groupCause(err) as { type?: string } | undefined)?.type ?? '');

export async function commitOffsets(consumer: Consumer, offsets: Parameters<Consumer['commitOffsets']>[0]): Promise<void> {
  try {
    await consumer.commitOffsets(offsets);
  } catch (err) {
    throw groupCause(err);
  }
}
