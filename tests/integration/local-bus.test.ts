/**
 * The local bus on a real disk: order, group commit, torn tails, redelivery of
 * an in-flight batch under the same token, and trimming of consumed segments.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { HIT_VERSION, type Hit } from '../../common/hit.ts';
import type { BusBatch } from '../../bus/bus.ts';
import { waitFor } from '../helpers/wait-for.ts';

const hit = (line: string): Hit => ({ v: HIT_VERSION, kind: 'log', site: 'example.com', receivedAt: 1, client: '192.0.2.1', headers: {}, line });
const lines = (batches: BusBatch[]) => batches.flatMap((b) => b.records.map((r) => (JSON.parse(r.value) as { line: string }).line));
const dir = () => mkdtempSync(join(tmpdir(), 'scalehouse-bus-'));

function collect(bus: LocalBus, maxRecords: number, handler: (b: BusBatch) => Promise<void> = async () => {}) {
  const batches: BusBatch[] = [];
  void bus.consume(async (b) => {
    await handler(b);
    batches.push(b);
  }, { maxRecords });
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
    void bus.consume(async (b) => {
      seen.push(b);
      if (failing) throw new Error('ClickHouse is down');
    }, { maxRecords: 3 });
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
