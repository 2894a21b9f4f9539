/**
 * The local bus's drain overlaps loading (bus/pipeline.ts), on a real disk: the next batch is
 * recorded in the checkpoint and prepared while the last one loads, loads and commits go in order,
 * a batch prepared on top of a failed load is discarded and prepared again after the redo, and a
 * restart redoes the ranges in flight — two, or one as an older checkpoint holds it — in order under
 * their tokens. The batch handler is a test double (tests/helpers/two-phase-double.ts): what is
 * observed is the bus's order of calls, which a real handler cannot be held in the middle of.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { testLogHit } from '../helpers/hits.ts';
import { nameOf, twoPhaseDouble } from '../helpers/two-phase-double.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const hit = (line: string) => testLogHit(line, { receivedAt: 1, client: '192.0.2.1' });
const checkpointOf = (d: string) => JSON.parse(readFileSync(join(d, 'consumer.json'), 'utf8')) as unknown;
const lineOf = (value: string) => (JSON.parse(value) as { line: string }).line;

async function busWith(lines: number): Promise<{ d: string; bus: LocalBus }> {
  const d = tempDir('bus-pipeline');
  const bus = await LocalBus.open({ dir: d });
  await bus.publish(Array.from({ length: lines }, (_, i) => hit(`line ${i}`)));
  return { d, bus };
}

/** `first` happens before `then` in `events` (both present). */
const inOrder = (events: string[], first: string, then: string) => {
  expect(events).toContain(first);
  expect(events).toContain(then);
  expect(events.indexOf(first)).toBeLessThan(events.indexOf(then));
};

describe('local bus: the drain overlaps loading', () => {
  it('prepares batch N+1 while N loads, with both ranges in the checkpoint, and loads and commits in order', async () => {
    const { d, bus } = await busWith(15);
    const double = twoPhaseDouble();
    const first = double.hold('0-5');
    const second = double.hold('5-10');
    await bus.consume(double.handler, { maxRecords: 5 });

    await waitFor('batch 5-10 prepared while 0-5 loads', async () => (double.events.includes('prepare 5-10') ? true : undefined));
    expect(double.events).toEqual(['prepare 0-5', 'load 0-5', 'prepare 5-10']);
    expect(checkpointOf(d)).toEqual({
      next: 0,
      inflight: [
        { from: 0, to: 5 },
        { from: 5, to: 10 },
      ],
    });

    first.release();
    await waitFor('batch 5-10 loading', async () => (double.events.includes('load 5-10') ? true : undefined));
    // 0-5 was committed before 5-10 began to load; 10-15 is recorded behind it.
    await waitFor('10-15 recorded', async () => ((checkpointOf(d) as { inflight: unknown[] }).inflight.length === 2 ? true : undefined));
    expect(checkpointOf(d)).toEqual({
      next: 5,
      inflight: [
        { from: 5, to: 10 },
        { from: 10, to: 15 },
      ],
    });
    inOrder(double.events, 'loaded 0-5', 'load 5-10');

    second.release();
    await waitFor('every batch loaded', async () => (double.loaded.length === 3 ? true : undefined));
    expect(double.loaded.map(nameOf)).toEqual(['0-5', '5-10', '10-15']);
    inOrder(double.events, 'loaded 5-10', 'load 10-15');
    await waitFor('the last commit', async () => ((checkpointOf(d) as { next: number }).next === 15 ? true : undefined));
    expect(checkpointOf(d)).toEqual({ next: 15, inflight: [] });
    await bus.close();
  });

  it('discards N+1 when N fails to load, loads N again, then prepares N+1 again under the same token', async () => {
    const { d, bus } = await busWith(15);
    const double = twoPhaseDouble();
    const first = double.hold('0-5');
    double.failOnce('0-5');
    await bus.consume(double.handler, { maxRecords: 5 });
    await waitFor('batch 5-10 prepared while 0-5 loads', async () => (double.events.includes('prepare 5-10') ? true : undefined));
    first.release();
    await waitFor('every batch loaded', async () => (double.loaded.length === 3 ? true : undefined));

    expect(double.events.slice(0, 9)).toEqual([
      'prepare 0-5',
      'load 0-5',
      'prepare 5-10',
      'failed 0-5',
      // Prepared on top of a batch that did not load: let go, never loaded.
      'discard 5-10',
      'prepare 0-5',
      'load 0-5',
      'prepare 5-10',
      'loaded 0-5',
    ]);
    expect(double.events.filter((e) => e === 'load 5-10')).toHaveLength(1);
    inOrder(double.events, 'loaded 0-5', 'load 5-10');
    inOrder(double.events, 'loaded 5-10', 'load 10-15');
    expect(double.loaded.map((b) => b.token)).toEqual(['0-5', '5-10', '10-15'].map((r) => double.loaded[0]!.token.replace('0-5', r)));
    expect(double.loaded.flatMap((b) => b.records.map((r) => lineOf(r.value)))).toEqual(Array.from({ length: 15 }, (_, i) => `line ${i}`));
    await waitFor('the last commit', async () => ((checkpointOf(d) as { next: number }).next === 15 ? true : undefined));
    await bus.close();
  });

  it('redoes two ranges left in flight (as a crash leaves them) in order under their tokens, then goes on', async () => {
    const { d, bus } = await busWith(12);
    await bus.close();
    writeFileSync(
      join(d, 'consumer.json'),
      JSON.stringify({
        next: 0,
        inflight: [
          { from: 0, to: 3 },
          { from: 3, to: 7 },
        ],
      }),
    );
    const again = await LocalBus.open({ dir: d });
    const double = twoPhaseDouble();
    await again.consume(double.handler, { maxRecords: 5 });
    await waitFor('every batch loaded', async () => (double.loaded.length === 3 ? true : undefined));
    expect(double.loaded.map(nameOf)).toEqual(['0-3', '3-7', '7-12']);
    const busId = readFileSync(join(d, 'bus-id'), 'utf8').trim();
    expect(double.loaded[0]!.token).toBe(`local:${busId}:0-3`);
    await again.close();
  });

  it('still redoes the one range an older checkpoint holds in flight', async () => {
    const { d, bus } = await busWith(12);
    await bus.close();
    writeFileSync(join(d, 'consumer.json'), JSON.stringify({ next: 0, inflight: { from: 0, to: 3 } }));
    const again = await LocalBus.open({ dir: d });
    const double = twoPhaseDouble();
    await again.consume(double.handler, { maxRecords: 5 });
    await waitFor('every batch loaded', async () => (double.loaded.length === 3 ? true : undefined));
    expect(double.loaded.map(nameOf)).toEqual(['0-3', '3-8', '8-12']);
    await waitFor('the last commit', async () => ((checkpointOf(d) as { next: number }).next === 12 ? true : undefined));
    expect(checkpointOf(d)).toEqual({ next: 12, inflight: [] });
    await again.close();
  });
});
