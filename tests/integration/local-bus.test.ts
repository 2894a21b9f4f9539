/**
 * The local bus on a real disk: order, group commit, torn tails, redelivery of
 * an in-flight batch under the same token, and trimming of consumed segments.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import type { Hit } from '../../common/hit.ts';
import { testLogHit } from '../helpers/hits.ts';
import type { BusBatch } from '../../bus/bus.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const hit = (line: string): Hit => testLogHit(line, { receivedAt: 1, client: '192.0.2.1' });
const lines = (batches: BusBatch[]) => batches.flatMap((b) => b.records.map((r) => (JSON.parse(r.value) as { line: string }).line));
const dir = () => tempDir('bus');

function collect(bus: LocalBus, maxRecords: number, handler: (b: BusBatch) => Promise<void> = async () => {}) {
  const batches: BusBatch[] = [];
  void bus.consume(
    async (b) => {
      await handler(b);
      batches.push(b);
    },
    { maxRecords },
  );
  return batches;
}

describe('local bus', () => {
  it('delivers concurrent publishes in order, in batches of at most maxRecords', async () => {
    const bus = await LocalBus.open({ dir: dir() });
    await Promise.all(Array.from({ length: 50 }, (_, i) => bus.publish([hit(`${i}a`), hit(`${i}b`)])));
    const batches = collect(bus, 7);
    await waitFor('all records', async () => (lines(batches).length === 100 ? true : undefined));
    expect(lines(batches)).toEqual(Array.from({ length: 50 }, (_, i) => [`${i}a`, `${i}b`]).flat());
    expect(Math.max(...batches.map((b) => b.records.length))).toBe(7);
    expect(new Set(batches.map((b) => b.token)).size).toBe(batches.length);
    await bus.close();
  });

  it('drops a torn record at the end of the log on restart and keeps what was whole', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d });
    await bus.publish([hit('one'), hit('two')]);
    await bus.close();
    const [segment] = readdirSync(d).filter((f) => f.endsWith('.log'));
    appendFileSync(join(d, segment!), '0badc0de {"v":1,"kind":"log","li'); // a crash mid-write
    const again = await LocalBus.open({ dir: d });
    await again.publish([hit('three')]);
    const batches = collect(again, 10);
    await waitFor('records', async () => (lines(batches).length === 3 ? true : undefined));
    expect(lines(batches)).toEqual(['one', 'two', 'three']);
    expect(batches.flatMap((b) => b.records).every((r) => !r.damaged)).toBe(true);
    await again.close();
  });

  it('redelivers an unfinished batch after a restart with the same records and token', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d });
    await bus.publish(['a', 'b', 'c', 'd', 'e'].map(hit));
    const seen: BusBatch[] = [];
    let failing = true;
    void bus.consume(
      async (b) => {
        seen.push(b);
        if (failing) throw new Error('ClickHouse is down');
      },
      { maxRecords: 3 },
    );
    await waitFor('a first attempt', async () => (seen.length >= 1 ? true : undefined));
    await bus.close(); // stops while the batch is still failing: it stays in flight
    failing = false;
    await bus.publish([hit('f')]).catch(() => undefined); // refused while closed
    const again = await LocalBus.open({ dir: d });
    await again.publish(['f', 'g'].map(hit));
    const after = collect(again, 100);
    await waitFor('everything', async () => (lines(after).length === 7 ? true : undefined));
    expect(after[0]!.token).toBe(seen[0]!.token);
    expect(lines([after[0]!])).toEqual(['a', 'b', 'c']);
    expect(lines(after)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(again.stats().lag).toBe(0);
    await again.close();
  });

  it('rolls segments and deletes the ones fully consumed', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d, segmentBytes: 2048 });
    for (let i = 0; i < 40; i++) await bus.publish([hit(`line ${i} ${'x'.repeat(100)}`)]);
    expect(readdirSync(d).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(3);
    const batches = collect(bus, 6);
    await waitFor('all', async () => (lines(batches).length === 40 && bus.stats().lag === 0 ? true : undefined));
    expect(lines(batches).map((l) => l.split(' ')[1])).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    await waitFor('trimmed', async () => (readdirSync(d).filter((f) => f.endsWith('.log')).length === 1 ? true : undefined));
    expect(bus.stats().bytes).toBeLessThan(2048 + 200);
    await bus.close();
  });

  it('refuses hits with BusUnavailableError when too much is unconsumed', async () => {
    const bus = await LocalBus.open({ dir: dir(), maxBytes: 500 });
    await bus.publish([hit('fits')]);
    await expect(bus.publish([hit('y'.repeat(600))])).rejects.toThrow(/unprocessed bytes/);
    await bus.close();
  });
});

describe('local bus on a damaged disk', () => {
  it('hands a record damaged inside an older segment on as damaged, keeping every other acknowledged hit', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d, segmentBytes: 600 });
    for (let i = 0; i < 12; i++) await bus.publish([hit(`line ${i} ${'x'.repeat(60)}`)]);
    await bus.close();
    const segments = readdirSync(d)
      .filter((f) => f.endsWith('.log'))
      .sort();
    expect(segments.length).toBeGreaterThan(2);
    // Flip one byte inside the first record of the first (older) segment.
    const first = join(d, segments[0]!);
    const bytes = readFileSync(first);
    bytes[20] = bytes[20]! ^ 0x01;
    writeFileSync(first, bytes);

    const again = await LocalBus.open({ dir: d });
    const batches = collect(again, 5);
    await waitFor('all twelve', async () => (batches.flatMap((b) => b.records).length === 12 ? true : undefined));
    const records = batches.flatMap((b) => b.records);
    expect(records.filter((r) => r.damaged).map((r) => r.position)).toEqual(['local:0']);
    expect(records.filter((r) => !r.damaged).map((r) => (JSON.parse(r.value) as { line: string }).line.split(' ')[1])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
    ]);
    await again.close();
  });

  it('keeps consuming after a checkpoint write fails, and reports the trouble meanwhile', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d });
    await bus.publish([hit('before')]);
    const batches = collect(bus, 10);
    await waitFor('first', async () => (lines(batches).length === 1 ? true : undefined));
    // Make the checkpoint unwritable: a folder in its place, which rename(2) cannot replace with a file (EISDIR).
    // (Its temporary file has a new name each time, common/data-files.ts.)
    rmSync(join(d, 'consumer.json'));
    mkdirSync(join(d, 'consumer.json'));
    await bus.publish([hit('during')]);
    await waitFor('the error to show', async () => (bus.stats().error ? true : undefined));
    rmSync(join(d, 'consumer.json'), { recursive: true });
    await waitFor('consuming again', async () => (lines(batches).includes('during') && !bus.stats().error ? true : undefined), 20_000);
    expect(bus.stats().lag).toBe(0);
    await bus.close();
  });
});
