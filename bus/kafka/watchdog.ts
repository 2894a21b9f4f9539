/**
 * When a processor restarts its own Kafka consumer (KAFKA_STALL_RESTART_SECONDS)
 * — pure; consumer-watchdog.ts acts on it. A partition of this consumer's
 * assignment is stalled (group-lag.ts) for the limit, and:
 *  - no batch of it is failing and being retried (bus/failing-batches.ts):
 *    that batch is waiting on ClickHouse or a disk, not on the consumer, and
 *    is reported as it is; a fresh consumer would only redo it and fail too;
 *  - either a batch handler has run all that time without returning, or
 *    none runs and nothing was fetched: kafkajs itself stands still (the
 *    stalls of issue 28, with a fetch that never came back).
 * A restart abandons the handler that does not return; whoever next owns
 * the partition redoes its batch under the same token. The clock of every
 * partition starts afresh when the consumer joins (a fresh one has fetched
 * nothing yet, and one stuck handler holds up every partition its fetch
 * came with: kafkajs' fetcher waits for all of a fetch's batches). And a
 * handler that is only slow would be slow again: each further restart
 * while the partition sits at the same offset waits twice as long as the
 * one before — never a loop of restarts.
 */
import type { PartitionLag } from './group-lag.ts';

/** The last restart for a partition: at which committed offset, and how many in a row there. */
export interface RestartMemo {
  committed: number;
  count: number;
}

export interface WatchdogInput {
  now: number;
  /** KAFKA_STALL_RESTART_SECONDS in ms; 0: never restart. */
  restartMs: number;
  /** When the current consumer last joined the group (ms). */
  consumerSince: number;
  /** The partitions this consumer was assigned at its last join. */
  own: readonly number[];
  view: readonly PartitionLag[];
  /** Partitions with a batch failing and being retried here. */
  failing: ReadonlySet<number>;
  /** Partitions whose batch handler is running here, and since when (ms). */
  handling: ReadonlyMap<number, number>;
  /**
   * When this consumer last committed each partition (ms): the view is a poll a few seconds old, and
   * a batch that loaded since (one that was failing, say) is progress it does not show yet.
   */
  committedAt: ReadonlyMap<number, number>;
  restarts: ReadonlyMap<number, RestartMemo>;
}

export interface RestartDecision {
  partition: number;
  /** Why, for the log line. */
  reason: string;
  memo: RestartMemo;
}

/**
 * The partition to restart for, if one is due: one whose handler has not returned first (the likely
 * cause: kafkajs fetches nothing more for the partitions that came in the same fetch), else the one
 * waiting longest.
 */
export function decideRestart(input: WatchdogInput): RestartDecision | undefined {
  const { now, restartMs, handling } = input;
  if (restartMs <= 0) return undefined;
  const due = input.view.filter((p) => {
    if (!p.stalled || p.waitingSince === undefined || !input.own.includes(p.partition) || input.failing.has(p.partition)) return false;
    const last = input.restarts.get(p.partition);
    const times = last?.committed === p.committed ? last.count : 0;
    const from = Math.max(p.waitingSince, input.consumerSince, input.committedAt.get(p.partition) ?? 0);
    return now - from >= restartMs * 2 ** times;
  });
  const p = due.sort(
    (a, b) => Number(handling.has(b.partition)) - Number(handling.has(a.partition)) || a.waitingSince! - b.waitingSince!,
  )[0];
  if (!p) return undefined;
  const last = input.restarts.get(p.partition);
  const since = handling.get(p.partition);
  const secondsSince = (t: number) => Math.round((now - t) / 1000);
  // Another partition's handler still running explains this one: kafkajs fetches again only once every
  // batch of the last fetch returned. Even one that started after this partition last moved (a later
  // batch of the same fetch's records) holds up the fetch this partition waits for.
  const holding = [...handling].filter(([other]) => other !== p.partition);
  const what =
    since === undefined
      ? `no batch handler of it runs and nothing was fetched${holding.map(([o, t]) => `; the batch handler of partition ${o} has not returned for ${secondsSince(t)} s`).join('')}`
      : `its batch handler has not returned for ${secondsSince(since)} s`;
  return {
    partition: p.partition,
    reason: `partition ${p.partition} has not moved for ${secondsSince(p.waitingSince!)} s with ${p.lag} hits waiting at offset ${p.committed}: ${what}`,
    memo: { committed: p.committed, count: last?.committed === p.committed ? last.count + 1 : 1 },
  };
}
