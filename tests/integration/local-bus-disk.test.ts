/**
 * The local bus when the disk fills or the log is damaged: a write is whole
 * or refused, never half-acknowledged; recovery keeps every acknowledged
 * record and never hands a new one an index the consumer has passed.
 * Disk-full cases run on a real tmpfs mounted by the test.
 */
import { describe, expect, it, afterAll } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { encodeRecord } from '../../bus/local/record-codec.ts';
import type { BusBatch, BusRecord } from '../../bus/bus.ts';
import { BusUnavailableError, InsufficientStorageError } from '../../common/errors.ts';
import { testLogHit } from '../helpers/hits.ts';
import { canMount, mountTmpfs, type SmallDisk } from '../helpers/tmpfs.ts';
import { SegmentWriter } from '../../bus/local/segment-writer.ts';
import { openLog } from '../../bus/local/open-log.ts';
import { DiskSpace } from '../../bus/local/disk-space.ts';
import { LogAppender } from '../../bus/local/log-appender.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = () => tempDir('bus');
const hit = (line: string) => testLogHit(line, { receivedAt: 1 });
const lineOf = (r: BusRecord) => (r.damaged ? `damaged:${r.offset}` : (JSON.parse(r.value) as { line: string }).line);
const segmentsOf = (d: string) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.log'))
    .sort();

function collect(bus: LocalBus) {
  const records: BusRecord[] = [];
  const tokens: string[] = [];
  void bus.consume(
    async (b: BusBatch) => {
      records.push(...b.records);
      tokens.push(b.token);
    },
    { maxRecords: 1000 },
  );
  return { records, tokens };
}

const disks: SmallDisk[] = [];
afterAll(() => disks.forEach((d) => d.unmount()));

describe('local bus recovery', () => {
  it('keeps every whole record around a damaged one in the last segment, and hands the damaged one on as such', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d });
    await bus.publish(['a', 'b', 'c', 'd'].map(hit));
    await bus.close();
    const seg = join(d, segmentsOf(d)[0]!);
    const text = readFileSync(seg, 'utf8').split('\n');
    text[1] = text[1]!.replace('"b"', '"B"'); // bit rot: the checksum no longer matches
    writeFileSync(seg, text.join('\n'));
    const again = await LocalBus.open({ dir: d });
    await again.publish([hit('e')]);
    const { records } = collect(again);
    await waitFor('five records', async () => (records.length === 5 ? true : undefined));
    expect(records.map(lineOf)).toEqual(['a', 'damaged:1', 'c', 'd', 'e']);
    await again.close();
  });

  it('reads a record behind the zero bytes a crash can leave', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d });
    await bus.publish([hit('a')]);
    await bus.close();
    const seg = join(d, segmentsOf(d)[0]!);
    writeFileSync(seg, Buffer.concat([readFileSync(seg), Buffer.alloc(300), encodeRecord(JSON.stringify(hit('b')))]));
    const again = await LocalBus.open({ dir: d });
    const { records } = collect(again);
    await waitFor('two records', async () => (records.length === 2 ? true : undefined));
    expect(records.map(lineOf)).toEqual(['a', 'b']);
    await again.close();
  });

  it("gives new records indexes after the consumer's position when the log ends before it, so none is skipped", async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d });
    await bus.publish(['a', 'b'].map(hit));
    await bus.close();
    // The consumer got further than the log now reaches (records lost before the restart).
    writeFileSync(join(d, 'consumer.json'), JSON.stringify({ next: 50, inflight: null }));
    const again = await LocalBus.open({ dir: d });
    expect(again.stats().lag).toBe(0);
    await again.publish(['x', 'y'].map(hit));
    expect(again.stats().lag).toBe(2);
    const { records } = collect(again);
    await waitFor('the new records', async () => (records.length === 2 ? true : undefined));
    expect(records.map((r) => [lineOf(r), r.offset])).toEqual([
      ['x', 50],
      ['y', 51],
    ]);
    await again.close();
  });

  it('hands on the missing part of an in-flight range as lost, under its token, and goes on (no stall)', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d });
    await bus.publish(['a', 'b'].map(hit));
    await bus.close();
    writeFileSync(join(d, 'consumer.json'), JSON.stringify({ next: 0, inflight: { from: 0, to: 4 } }));
    const again = await LocalBus.open({ dir: d });
    await again.publish([hit('c')]);
    const { records, tokens } = collect(again);
    await waitFor('the range and the new record', async () => (records.length === 5 ? true : undefined));
    expect(records.map(lineOf)).toEqual(['a', 'b', 'damaged:2', 'damaged:3', 'c']);
    expect(tokens[0]).toMatch(/:0-4$/);
    expect(records.at(-1)!.offset).toBe(4);
    await again.close();
  });
});

describe('local bus readiness', () => {
  it('reports a consumer that loads nothing while hits wait, and stops once it moves again', async () => {
    const bus = await LocalBus.open({ dir: dir(), stalledAfterMs: 300 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    void bus.consume(() => held, { maxRecords: 10 }); // a handler stuck without an error (a hung insert)
    await bus.publish([hit('waits')]);
    expect(bus.problems()).toEqual([]);
    const problem = await waitFor('the stall to be reported', async () => bus.problems()[0]);
    expect(problem).toMatch(/^the processor has loaded nothing for \d+ s while 1 hits wait$/);
    release();
    await waitFor('the stall to clear', async () => (bus.problems().length === 0 ? true : undefined));
    await bus.close();
  });
});

describe('local bus retention', () => {
  it('starts a new segment once the old one is consumed and old enough, and deletes the old one', async () => {
    const d = dir();
    const bus = await LocalBus.open({ dir: d, segmentMaxAgeMs: 300 });
    await bus.publish([hit('held only briefly')]);
    const { records } = collect(bus);
    await waitFor('the record to be consumed', async () => (records.length === 1 ? true : undefined));
    const first = segmentsOf(d);
    expect(first).toHaveLength(1);
    expect(readFileSync(join(d, first[0]!), 'utf8')).toContain('held only briefly');
    await waitFor('the consumed segment to be deleted', async () => (!segmentsOf(d).includes(first[0]!) ? true : undefined), 5000);
    expect(
      segmentsOf(d)
        .map((f) => readFileSync(join(d, f), 'utf8'))
        .join(''),
    ).not.toContain('held only briefly');
    // Numbering goes on: the next record is the second.
    await bus.publish([hit('next')]);
    await waitFor('the next record', async () => (records.length === 2 ? true : undefined));
    expect(records.map((r) => [lineOf(r), r.offset])).toEqual([
      ['held only briefly', 0],
      ['next', 1],
    ]);
    await bus.close();
  });
});

describe('local bus segments rolling by age while hits arrive', () => {
  it('acknowledges a publish that comes while a segment is being rolled, with nothing after it', async () => {
    const d = dir();
    const writer = new SegmentWriter(d);
    const opened = await openLog(d, writer);
    const disk = new DiskSpace(d, 0);
    await disk.refresh();
    const appender = new LogAppender(
      writer,
      disk,
      { segmentBytes: 1 << 20, segmentMaxAgeMs: 0 },
      opened.segments,
      opened.durable,
      opened.diskBytes,
    );
    await appender.append(encodeRecord('first'), 1);
    await new Promise((r) => setTimeout(r, 5));
    // The age timer starts a roll; a hit arrives before it is done, and no other hit after it.
    const roll = appender.rollIfOld(0);
    const ack = appender.append(encodeRecord('during the roll'), 1);
    await roll;
    await within('the hit that came during the roll to be acknowledged', ack, 5000);
    expect(appender.durable).toBe(2);
    await appender.close();
  });
});

describe.skipIf(!canMount)('local bus on a full disk (a real tmpfs)', () => {
  it('refuses a write the disk cannot hold whole, keeps the log at its last whole record, and takes hits again once space is freed', async () => {
    const disk = mountTmpfs(1024 * 1024);
    disks.push(disk);
    const bus = await LocalBus.open({ dir: disk.dir, reserveBytes: 0 });
    const free = disk.fill(20_000);
    const acked: string[] = [];
    let refused: unknown;
    for (let i = 0; !refused && i < 1000; i++) {
      const batch = Array.from({ length: 5 }, (_, j) => `hit ${i}.${j} ${'x'.repeat(400)}`);
      await bus.publish(batch.map(hit)).then(
        () => acked.push(...batch),
        (err: unknown) => {
          refused = err;
        },
      );
    }
    expect(refused).toBeInstanceOf(BusUnavailableError);
    expect(String(refused)).toMatch(/ENOSPC|no space/i);
    expect(bus.problems().join()).toMatch(/refused hits/);
    // Exactly the acknowledged records are on disk, each whole: no partial record, no zero padding.
    const seg = join(disk.dir, segmentsOf(disk.dir)[0]!);
    expect(statSync(seg).size).toBe(acked.reduce((n, l) => n + encodeRecord(JSON.stringify(hit(l))).length, 0));
    free();
    const more = ['after 1', 'after 2'];
    await bus.publish(more.map(hit));
    acked.push(...more);
    await bus.close();
    // After a restart every acknowledged hit is there once, in order.
    const again = await LocalBus.open({ dir: disk.dir, reserveBytes: 0 });
    const { records } = collect(again);
    await waitFor('every acknowledged record', async () => (records.length >= acked.length ? true : undefined));
    expect(records.map(lineOf)).toEqual(acked);
    await again.close();
  });

  it('refuses with InsufficientStorageError (507) while less than the reserve is free, says so in problems(), and resumes by itself', async () => {
    const disk = mountTmpfs(2 * 1024 * 1024);
    disks.push(disk);
    const bus = await LocalBus.open({ dir: disk.dir, reserveBytes: 512 * 1024 });
    await bus.publish([hit('first')]);
    const free = disk.fill(300 * 1024);
    await waitFor(
      'the bus to see the disk fill',
      async () =>
        await bus.publish([hit('probe')]).then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    await expect(bus.publish([hit('refused')])).rejects.toBeInstanceOf(InsufficientStorageError);
    expect(bus.problems().join()).toMatch(/MiB free, less than the 1 MiB kept in reserve|refused hits/);
    free();
    await waitFor(
      'intake to resume by itself',
      async () =>
        await bus.publish([hit('back')]).then(
          () => true,
          () => undefined,
        ),
      10_000,
    );
    const { records } = collect(bus);
    await waitFor('records', async () => (records.some((r) => lineOf(r) === 'back') ? true : undefined));
    expect(records.map(lineOf).filter((l) => l !== 'probe')).toEqual(['first', 'back']);
    await bus.close();
  });
});
