/**
 * The consumer group's lag and stalls from polls of the broker's offsets
 * (bus/kafka/group-lag.ts), the /readyz lines they make (stall-report.ts),
 * and when the watchdog replaces a consumer (watchdog.ts), on a clock of the
 * test's own.
 */
import { describe, expect, it } from 'vitest';
import { trackGroupLag, totalLag, type PartitionLag, type PolledPartition } from '../../bus/kafka/group-lag.ts';
import { stallProblems } from '../../bus/kafka/stall-report.ts';
import { decideRestart, type RestartMemo, type WatchdogInput } from '../../bus/kafka/watchdog.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const STALL = 30_000;
const poll = (...parts: Array<[partition: number, committed: number, low: number, high: number]>): PolledPartition[] =>
  parts.map(([partition, committed, low, high]) => ({ partition, committed, low, high }));

describe('trackGroupLag', () => {
  it('is the high watermark less the committed offset; never committed: all the partition holds', () => {
    const view = trackGroupLag([], poll([1, 40, 0, 100], [0, -1, 10, 25], [2, 7, 20, 30], [3, 50, 0, 50]), T0, STALL);
    expect(view).toEqual([
      { partition: 0, lag: 15, committed: 10, high: 25, waitingSince: T0, stalled: false },
      { partition: 1, lag: 60, committed: 40, high: 100, waitingSince: T0, stalled: false },
      // Below the low watermark (retention removed records): counted from where a consumer would start.
      { partition: 2, lag: 10, committed: 20, high: 30, waitingSince: T0, stalled: false },
      { partition: 3, lag: 0, committed: 50, high: 50, stalled: false },
    ]);
    expect(totalLag(view)).toBe(85);
  });

  it('is stalled once the offset stood still for the limit while hits wait, and not before', () => {
    let view: PartitionLag[] = trackGroupLag([], poll([0, 100, 0, 100], [1, 100, 0, 150]), T0, STALL);
    // Partition 0 idled with lag 0: hits arriving now start its clock, they do not make it stalled at once.
    view = trackGroupLag(view, poll([0, 100, 0, 120], [1, 100, 0, 170]), T0 + 20_000, STALL);
    expect(view.map((p) => [p.partition, p.lag, p.waitingSince, p.stalled])).toEqual([
      [0, 20, T0 + 20_000, false],
      [1, 70, T0, false],
    ]);
    view = trackGroupLag(view, poll([0, 100, 0, 130], [1, 100, 0, 180]), T0 + 30_000, STALL);
    expect(view.map((p) => [p.partition, p.stalled])).toEqual([
      [0, false],
      [1, true],
    ]);
    // The offset moves (the batch was committed): the clock starts again from there.
    view = trackGroupLag(view, poll([0, 100, 0, 130], [1, 140, 0, 180]), T0 + 35_000, STALL);
    expect(view.map((p) => [p.partition, p.lag, p.waitingSince, p.stalled])).toEqual([
      [0, 30, T0 + 20_000, false],
      [1, 40, T0 + 35_000, false],
    ]);
    view = trackGroupLag(view, poll([0, 100, 0, 130], [1, 180, 0, 180]), T0 + 50_000, STALL);
    expect(view.map((p) => [p.partition, p.lag, p.waitingSince, p.stalled])).toEqual([
      [0, 30, T0 + 20_000, true],
      [1, 0, undefined, false],
    ]);
  });

  it('counts the batch range recorded before handling (the same offset, new metadata) as no progress', () => {
    // consumer.ts commits `from` with {from, to} as metadata before it handles a batch: the poller sees
    // the same offset, so a handler that never returns leaves the partition stalled.
    let view = trackGroupLag([], poll([0, 500, 0, 900]), T0, STALL);
    view = trackGroupLag(view, poll([0, 500, 0, 950]), T0 + STALL, STALL);
    expect(view).toEqual([{ partition: 0, lag: 450, committed: 500, high: 950, waitingSince: T0, stalled: true }]);
  });
});

describe('stallProblems', () => {
  it("names the stalled partitions this processor consumes, not others', nor a failing batch's", () => {
    const view = trackGroupLag(
      trackGroupLag([], poll([0, 5, 0, 9], [1, 5, 0, 9], [2, 5, 0, 9], [3, 9, 0, 9]), T0, STALL),
      poll([0, 5, 0, 9], [1, 5, 0, 9], [2, 5, 0, 12], [3, 9, 0, 9]),
      T0 + 45_000,
      STALL,
    );
    expect(stallProblems(view, { topic: 'hits', own: [0, 1, 3], failing: new Set([1]), now: T0 + 47_000 })).toEqual([
      'the processor is stalled on partition 0 of hits: 4 hits wait at offset 5 and it has not moved for 47 s (KAFKA_STALL_SECONDS)',
    ]);
  });
});

describe('decideRestart', () => {
  const RESTART = 120_000;
  const stalledAt = (committed: number, waitingSince = T0): PartitionLag[] => [
    { partition: 0, lag: 0, committed: 10, high: 10, stalled: false },
    { partition: 2, lag: 30, committed, high: committed + 30, waitingSince, stalled: true },
  ];
  const input = (over: Partial<WatchdogInput>): WatchdogInput => ({
    now: T0 + RESTART,
    restartMs: RESTART,
    consumerSince: T0 - 3_600_000,
    own: [0, 2],
    view: stalledAt(70),
    failing: new Set(),
    handling: new Map(),
    committedAt: new Map(),
    restarts: new Map(),
    ...over,
  });

  it('restarts for an own partition stalled for the limit, saying whether a handler runs', () => {
    expect(decideRestart(input({ now: T0 + RESTART - 1 }))).toBeUndefined();
    expect(decideRestart(input({}))).toEqual({
      partition: 2,
      reason: 'partition 2 has not moved for 120 s with 30 hits waiting at offset 70: no batch handler of it runs and nothing was fetched',
      memo: { committed: 70, count: 1 },
    });
    expect(decideRestart(input({ handling: new Map([[2, T0 + 5_000]]) }))?.reason).toBe(
      'partition 2 has not moved for 120 s with 30 hits waiting at offset 70: its batch handler has not returned for 115 s',
    );
  });

  it('names first a partition whose handler has not returned: it holds up the fetch of the others', () => {
    const view = [
      { partition: 1, lag: 9, committed: 5, high: 14, waitingSince: T0 - 5_000, stalled: true },
      { partition: 3, lag: 4, committed: 8, high: 12, waitingSince: T0, stalled: true },
    ];
    const handling = new Map([[3, T0 - 6_000]]);
    expect(decideRestart(input({ own: [1, 3], view, handling }))).toEqual({
      partition: 3,
      reason: 'partition 3 has not moved for 120 s with 4 hits waiting at offset 8: its batch handler has not returned for 126 s',
      memo: { committed: 8, count: 1 },
    });
    // Partition 3's handler not yet due: partition 1 is, and its reason names what holds it up.
    expect(decideRestart(input({ own: [1, 3], view: [view[0]!, { ...view[1]!, waitingSince: T0 + 1 }], handling }))).toEqual({
      partition: 1,
      reason:
        'partition 1 has not moved for 125 s with 9 hits waiting at offset 5: no batch handler of it runs and nothing was fetched; the batch handler of partition 3 has not returned for 126 s',
      memo: { committed: 5, count: 1 },
    });
    expect(decideRestart(input({ own: [1, 3], view }))?.partition).toBe(1);
    // A handler that started after partition 1 last moved (a later batch of the fetch) holds it up all the same.
    expect(
      decideRestart(input({ own: [1, 3], view: [view[0]!, { ...view[1]!, waitingSince: T0 + 1 }], handling: new Map([[3, T0 - 4_000]]) }))
        ?.reason,
    ).toBe(
      'partition 1 has not moved for 125 s with 9 hits waiting at offset 5: no batch handler of it runs and nothing was fetched; the batch handler of partition 3 has not returned for 124 s',
    );
  });

  it("never for another processor's partition, a batch failing and retried, or with the watchdog off", () => {
    expect(decideRestart(input({ own: [0, 1] }))).toBeUndefined();
    expect(decideRestart(input({ failing: new Set([2]) }))).toBeUndefined();
    expect(decideRestart(input({ restartMs: 0, now: T0 + 10 * RESTART }))).toBeUndefined();
  });

  it('takes a commit of its own since the last poll as progress (a failing batch that just loaded)', () => {
    expect(decideRestart(input({ committedAt: new Map([[2, T0 + RESTART - 500]]) }))).toBeUndefined();
    expect(decideRestart(input({ committedAt: new Map([[1, T0 + RESTART - 500]]) }))?.partition).toBe(2);
  });

  it('gives a consumer that just joined the whole limit, whatever it was handed', () => {
    // A partition stalled for long (its batch abandoned by the consumer before, or by another processor).
    const joined = T0 + 10 * RESTART;
    expect(decideRestart(input({ consumerSince: joined, now: joined + RESTART - 1 }))).toBeUndefined();
    expect(decideRestart(input({ consumerSince: joined, now: joined + RESTART }))?.partition).toBe(2);
  });

  it('waits twice as long each time the partition is still stuck at the same offset: a slow handler is no loop', () => {
    const restarts = new Map<number, RestartMemo>([[2, { committed: 70, count: 1 }]]);
    const joined = T0 + RESTART + 10_000; // the fresh consumer of the first restart
    expect(decideRestart(input({ consumerSince: joined, now: joined + 2 * RESTART - 1, restarts }))).toBeUndefined();
    expect(decideRestart(input({ consumerSince: joined, now: joined + 2 * RESTART, restarts }))?.memo).toEqual({ committed: 70, count: 2 });
    restarts.set(2, { committed: 70, count: 2 });
    expect(decideRestart(input({ consumerSince: joined, now: joined + 4 * RESTART - 1, restarts }))).toBeUndefined();
    expect(decideRestart(input({ consumerSince: joined, now: joined + 4 * RESTART, restarts }))?.memo.count).toBe(3);
    // Stuck again further on (the offset moved since): the plain limit, counted afresh.
    const moved = stalledAt(90, joined + 5 * RESTART);
    expect(decideRestart(input({ consumerSince: joined, now: joined + 6 * RESTART, view: moved, restarts }))?.memo).toEqual({
      committed: 90,
      count: 1,
    });
  });
});
