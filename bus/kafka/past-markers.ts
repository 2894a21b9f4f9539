/**
 * Commits past the records a read_committed consumer never sees. The
 * collector writes hits in transactions (bus/kafka/publisher.ts), so a
 * partition also holds control records — one commit or abort marker per
 * transaction, each taking an offset — and the records of aborted
 * transactions; kafkajs drops both from `batch.messages` (consumer/batch.js).
 * Committing only up to the last hit would leave the group's offset on the
 * trailing marker: the broker's lag (high watermark − committed offset) would
 * never come back to 0, and a redelivery would start there for nothing.
 */
import type { Consumer } from 'kafkajs';
import { log } from '../../common/log.ts';

/**
 * The offset to commit once the hits up to `to` are loaded: past the fetch's last record (markers
 * and aborted records after the last hit included) when the batch ran to the end of the fetch.
 */
export function offsetAfter(to: number, fetchLast: number, endsFetch: boolean): number {
  return (endsFetch ? Math.max(to, fetchLast) : to) + 1;
}

/**
 * A fetch of markers and aborted records only never reaches eachBatch; kafkajs moves the position past
 * it but, with autoCommit off, commits nothing (consumer/runner.js, isEmptyDueToFiltering). Commit it
 * here: such a fetch only comes once every hit before it is committed (an uncommitted batch is fetched
 * again from its first hit), so no intent of a range is overwritten.
 */
export function commitFilteredFetches(consumer: Consumer, topic: string): void {
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic !== topic || payload.batchSize !== 0) return;
    const offset = String(Number(payload.lastOffset) + 1);
    consumer.commitOffsets([{ topic, partition: payload.partition, offset, metadata: null }]).catch((err: unknown) => {
      // A rebalance took the partition meanwhile: its next owner commits past the markers itself.
      log.debug('offset past transaction markers not committed', { partition: payload.partition, error: String(err) });
    });
  });
}
