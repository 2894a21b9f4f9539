/**
 * What the group's lag (group-lag.ts) looks like from outside: per-partition
 * figures for /readyz and /metrics (every partition of the group, whoever
 * consumes it), and /readyz problems for the stalled partitions this
 * processor consumes — only its own: another processor's stall is that
 * processor's to report (and everyone's /metrics and the alert show it), and
 * one stuck processor must not make every collector of a `start` cluster not
 * ready. A partition whose batch is failing here is already reported as the
 * failing batch (bus/failing-batches.ts), with its error.
 */
import type { PartitionStats } from '../bus.ts';
import type { PartitionLag } from './group-lag.ts';

export function partitionStats(view: readonly PartitionLag[]): PartitionStats[] {
  return view.map((p) => ({
    partition: p.partition,
    lag: p.lag,
    stalled: p.stalled,
    ...(p.waitingSince !== undefined ? { waitingSince: new Date(p.waitingSince).toISOString() } : {}),
  }));
}

export function stallProblems(
  view: readonly PartitionLag[],
  at: { topic: string; own: readonly number[]; failing: ReadonlySet<number>; now: number },
): string[] {
  return view
    .filter((p) => p.stalled && at.own.includes(p.partition) && !at.failing.has(p.partition))
    .map(
      (p) =>
        `the processor is stalled on partition ${p.partition} of ${at.topic}: ${p.lag} hits wait at offset ${p.committed} ` +
        `and it has not moved for ${Math.round((at.now - p.waitingSince!) / 1000)} s (KAFKA_STALL_SECONDS)`,
    );
}
