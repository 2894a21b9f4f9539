/**
 * The consumer group's lag per partition as the broker sees it, and which
 * partitions are stalled — pure, from one poll of the group's committed
 * offsets and the partitions' watermarks (group-lag-poller.ts reads them).
 *
 * Lag is the high watermark less the committed offset: what the group has
 * not yet loaded, whatever any consumer last fetched. A partition the group
 * never committed (offset -1) lags by all it holds (high − low); a committed
 * offset below the low watermark (retention removed the records) counts from
 * the low watermark, where a consumer would start.
 *
 * Stalled: lag > 0 and the committed offset has not moved for the stall
 * limit. The clock starts when the offset last moved, or when the lag last
 * rose from 0 — a partition idle for an hour that receives a hit is behind,
 * not stalled. consumer.ts commits each batch's range as metadata before
 * handling it, at the same offset: only the offset counts as progress.
 */

/** One partition in one poll. Offsets as numbers: a partition's offsets stay far below 2^53. */
export interface PolledPartition {
  partition: number;
  /** The group's committed offset (-1: never committed). */
  committed: number;
  low: number;
  high: number;
}

export interface PartitionLag {
  partition: number;
  /** Records of the partition the group has not loaded yet. */
  lag: number;
  /** Where the group's next batch of the partition starts. */
  committed: number;
  high: number;
  /** Since when (ms) the offset has not moved while lag > 0; absent with lag 0. */
  waitingSince?: number;
  /** Lag > 0 and no progress for the stall limit. */
  stalled: boolean;
}

/** The next view of the group from the last one (empty at first) and a poll at `now`. */
export function trackGroupLag(
  last: readonly PartitionLag[],
  polled: readonly PolledPartition[],
  now: number,
  stallMs: number,
): PartitionLag[] {
  const before = new Map(last.map((p) => [p.partition, p]));
  return [...polled]
    .sort((a, b) => a.partition - b.partition)
    .map((p) => {
      const committed = Math.max(p.committed < 0 ? p.low : p.committed, p.low);
      const lag = Math.max(0, p.high - committed);
      const prev = before.get(p.partition);
      if (lag === 0) return { partition: p.partition, lag, committed, high: p.high, stalled: false };
      const waitingSince = prev?.waitingSince !== undefined && prev.committed === committed ? prev.waitingSince : now;
      return { partition: p.partition, lag, committed, high: p.high, waitingSince, stalled: now - waitingSince >= stallMs };
    });
}

/** The group's total lag. */
export const totalLag = (partitions: readonly PartitionLag[]): number => partitions.reduce((n, p) => n + p.lag, 0);
