/**
 * Polls the broker for the consumer group's lag (group-lag.ts): the group's
 * committed offsets (OffsetFetch, admin.fetchOffsets) and each partition's
 * watermarks (ListOffsets, admin.fetchTopicOffsets), on an admin client of
 * its own, so it keeps telling the truth when the consumer itself stands
 * still. Every processor polls the whole group: any of them may be the one
 * that is stuck, and any of them can say so.
 */
import type { Admin, Kafka } from 'kafkajs';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { trackGroupLag, type PartitionLag } from './group-lag.ts';

export interface GroupLagPoller {
  /** The last poll's view (empty until the first poll answered). */
  partitions(): PartitionLag[];
  /** Polls now (also what the timer does). */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A stall must be seen well within its limit: a poll every fifth of it, between 1 and 5 s (two
 * small requests to the broker each).
 */
export const pollIntervalMs = (stallMs: number): number => Math.min(5_000, Math.max(1_000, Math.round(stallMs / 5)));

export async function startGroupLagPoller(
  kafka: Kafka,
  cfg: { topic: string; group: string; stallMs: number },
  now: () => number = Date.now,
): Promise<GroupLagPoller> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  let view: PartitionLag[] = [];
  let failing = false;
  const poll = async () => {
    try {
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(cfg.topic),
        admin.fetchOffsets({ groupId: cfg.group, topics: [cfg.topic] }),
      ]);
      const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      view = trackGroupLag(
        view,
        ends.map((e) => ({
          partition: e.partition,
          committed: byPartition.get(e.partition) ?? -1,
          low: Number(e.low),
          high: Number(e.high),
        })),
        now(),
        cfg.stallMs,
      );
      failing = false;
    } catch (err) {
      // The broker away: the last view stands until it answers again (then a partition that did not
      // move meanwhile shows the whole wait), and the publisher's and consumer's own errors say what
      // is wrong; logged once per outage.
      if (!failing) log.warn('cannot read the consumer group lag from Kafka', { error: errorMessage(err) });
      failing = true;
    }
  };
  await poll();
  let polling = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(poll);
  }, pollIntervalMs(cfg.stallMs));
  timer.unref();
  return {
    partitions: () => view,
    poll: () => (polling = polling.then(poll)),
    stop: async () => {
      clearInterval(timer);
      await polling;
      await admin.disconnect();
    },
  };
}
