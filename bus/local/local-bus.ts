/**
 * The embedded-mode bus: an append-only, checksummed log of hits on local disk.
 *
 * publish() appends and fdatasyncs before it resolves, batching concurrent
 * publishes into one write + one sync (group commit), so a 2xx is only ever sent
 * for hits that survive a crash. One in-process consumer reads them in batches;
 * before handling a batch it records the batch's range in the checkpoint, so a
 * restart redelivers exactly the same range under the same token, and it moves
 * the checkpoint past the batch only after the handler (the ClickHouse insert)
 * succeeded. Segments wholly behind the checkpoint are deleted.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Hit } from '../../common/hit.ts';
import { BusUnavailableError, InsufficientStorageError, ScalehouseError, errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { BatchHandler, Bus, BusBatch, BusRecord, BusStats } from '../bus.ts';
import { encodeRecord, decodeRecord } from './record-codec.ts';
import { readJsonFile, readOrCreateStateFile, writeFileAtomic } from '../../common/state-files.ts';
import { deleteSegment, listSegments, readRecords, recoverSegment, sizeOf, type Segment } from './segments.ts';
import { SegmentWriter } from './segment-writer.ts';
import { DiskSpace } from './disk-space.ts';
import { backoff } from '../../common/backoff.ts';
import { deliver } from '../deliver.ts';
import { RecentRefusal } from '../recent-refusal.ts';

interface Checkpoint { next: number; inflight: { from: number; to: number } | null }
interface Pending { buf: Buffer; count: number; resolve: () => void; reject: (e: Error) => void }

export interface LocalBusOptions {
  dir: string;
  /** Refuse new hits (503) once this many unconsumed bytes sit on disk. */
  maxBytes?: number;
  segmentBytes?: number;
  /** Start a new segment after this long, so consumed hits do not linger in an old one (default 10 minutes). */
  segmentMaxAgeMs?: number;
  /** Free space to leave on the disk: below it publish refuses with InsufficientStorageError (507). */
  reserveBytes?: number;
  /** A consumer that commits nothing for this long while hits wait is reported as stalled (default 2 minutes). */
  stalledAfterMs?: number;
}

export class LocalBus implements Bus {
  private busId = '';
  private segments: Segment[] = [];
  private writer: SegmentWriter;
  private disk: DiskSpace;
  private durable = 0; // records fully written and synced: the index the next record gets
  private checkpoint: Checkpoint = { next: 0, inflight: null };
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private diskBytes = 0;
  private wake: (() => void) | undefined;
  private stopping = false;
  private consumerError: string | undefined;
  private refused = new RecentRefusal();
  /** When the consumer last committed a batch (or had nothing to do). */
  private progressAt = Date.now();
  private loop: Promise<void> | undefined;
  private maintenance: NodeJS.Timeout | undefined;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly segmentMaxAgeMs: number;

  private constructor(private readonly opts: LocalBusOptions) {
    this.maxBytes = opts.maxBytes ?? 1024 ** 3;
    this.segmentBytes = opts.segmentBytes ?? 16 * 1024 ** 2;
    this.segmentMaxAgeMs = opts.segmentMaxAgeMs ?? 10 * 60_000;
    this.writer = new SegmentWriter(opts.dir);
    this.disk = new DiskSpace(opts.dir, opts.reserveBytes ?? 0);
  }

  static async open(opts: LocalBusOptions): Promise<LocalBus> {
    const bus = new LocalBus(opts);
    await bus.recover();
    await bus.disk.refresh();
    // Consumed hits must not linger in a segment that is still being written to: roll old ones.
    bus.maintenance = setInterval(() => void bus.rollIfOld(), Math.min(60_000, bus.segmentMaxAgeMs)).unref();
    return bus;
  }

  private get checkpointPath(): string { return join(this.opts.dir, 'consumer.json'); }

  private async recover(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    // The id keeps tokens unique if the bus folder is ever wiped while ClickHouse keeps its data.
    this.busId = (await readOrCreateStateFile(
      { path: join(this.opts.dir, 'bus-id'), what: 'the local bus id', whyKept: 'it is part of every deduplication token, and a new one would load unfinished batches twice' },
      () => randomUUID(),
    )).value;
    this.checkpoint = (await readJsonFile<Checkpoint>(this.checkpointPath)) ?? { next: 0, inflight: null };
    this.segments = await listSegments(this.opts.dir);
    const last = this.segments.at(-1);
    if (last) {
      // Only the last segment can end in a torn write; older ones are whole by construction, and a
      // record damaged on disk there is handed on as `damaged` (a dead letter), never cut off.
      for (const seg of this.segments.slice(0, -1)) this.diskBytes += await sizeOf(seg.path);
      const tail = await recoverSegment(last.path);
      if (tail.cut) log.warn('local bus: dropped a torn, unacknowledged record at the end of the log', { bytes: tail.cut, segment: last.path });
      if (tail.damaged.length) log.warn('local bus: damaged records kept as dead letters', { offsets: tail.damaged.map((i) => last.start + i) });
      this.durable = last.start + tail.records;
      this.diskBytes += tail.bytes;
      await this.writer.resume(last, tail.bytes);
    }
    // New records must never get an index the consumer has already passed (or recorded as in
    // flight): they would be skipped. If the log ends before that point, it lost records; say
    // which, and go on from there in a new segment.
    const reached = Math.max(this.checkpoint.next, this.checkpoint.inflight?.to ?? 0);
    if (!last || this.durable < reached) {
      if (last && this.durable < reached) {
        log.warn('local bus: the log ends before the position the processor reached; those records are lost, new ones go after it',
          { logEnds: this.durable, processorAt: reached });
      }
      this.durable = Math.max(this.durable, reached);
      this.segments.push(await this.writer.roll(this.durable));
    }
  }

  publish(hits: Hit[]): Promise<void> {
    if (hits.length === 0) return Promise.resolve();
    if (this.stopping) return Promise.reject(new BusUnavailableError('the local bus is shutting down'));
    const buf = Buffer.concat(hits.map((h) => encodeRecord(JSON.stringify(h))));
    if (this.diskBytes + this.queuedBytes + buf.length > this.maxBytes) {
      return Promise.reject(this.refuse(new BusUnavailableError(
        `the local bus holds ${this.diskBytes} unprocessed bytes (limit ${this.maxBytes}); is ClickHouse keeping up?`)));
    }
    if (!this.disk.allows(this.queuedBytes + buf.length)) return Promise.reject(this.refuse(this.diskFull()));
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, count: hits.length, resolve, reject });
      this.queuedBytes += buf.length;
      this.flushing ??= this.flush();
    });
  }

  private diskFull(): InsufficientStorageError {
    return new InsufficientStorageError(`the disk of the local bus has ${Math.max(0, Math.round(this.disk.freeBytes / 1024 ** 2))} MiB free, ` +
      `less than the ${Math.round(this.disk.reserveBytes / 1024 ** 2)} MiB kept in reserve (DISK_RESERVE_MB); free some space and hits are taken again`);
  }

  private refuse<E extends Error>(err: E): E {
    return this.refused.note(err);
  }

  /** Group commit: everything queued so far goes out in one write and one fdatasync. */
  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      const buf = Buffer.concat(batch.map((p) => p.buf));
      this.queuedBytes -= buf.length;
      const count = batch.reduce((n, p) => n + p.count, 0);
      try {
        if (!this.disk.allows(buf.length)) throw this.diskFull();
        if (this.writer.bytes > 0 && (this.writer.bytes + buf.length > this.segmentBytes || this.writer.ageMs > this.segmentMaxAgeMs)) {
          this.segments.push(await this.writer.roll(this.durable));
        }
        await this.writer.append(buf);
      } catch (err) {
        // Nothing of this group is acknowledged: the segment is back at its last whole record.
        const e = err instanceof BusUnavailableError ? err : new BusUnavailableError(`cannot write the local bus: ${errorMessage(err)}`, err);
        this.refuse(e);
        void this.disk.refresh();
        for (const p of batch) p.reject(e);
        continue;
      }
      this.disk.wrote(buf.length);
      this.refused.clear();
      this.diskBytes += buf.length;
      this.durable += count;
      for (const p of batch) p.resolve();
      this.wake?.();
    }
    this.flushing = undefined;
  }

  /** Starts a new segment when the one being written is old and wholly consumed, so it can be deleted. */
  private async rollIfOld(): Promise<void> {
    if (this.flushing || this.stopping || this.writer.bytes === 0 || this.writer.ageMs < this.segmentMaxAgeMs) return;
    if (this.checkpoint.next < this.durable) return; // the next batch's commit trims it after the roll below
    this.flushing = (async () => {
      this.segments.push(await this.writer.roll(this.durable));
      await this.trim();
    })().catch((err) => log.warn('local bus: cannot start a new segment', { error: errorMessage(err) })).finally(() => { this.flushing = undefined; });
    await this.flushing;
  }

  /** Why this bus cannot do its whole job right now (for /readyz): refused writes, a full disk, a failing consumer. */
  problems(): string[] {
    const out: string[] = [];
    const refused = this.refused.problem('the local bus');
    if (refused) out.push(refused);
    else if (!this.disk.allows(0)) out.push(this.diskFull().message);
    if (this.consumerError) out.push(`the processor cannot consume the bus: ${this.consumerError}`);
    else if (this.loop && this.durable > this.checkpoint.next && Date.now() - this.progressAt > (this.opts.stalledAfterMs ?? 120_000)) {
      out.push(`the processor has loaded nothing for ${Math.round((Date.now() - this.progressAt) / 1000)} s while ${this.durable - this.checkpoint.next} hits wait`);
    }
    return out;
  }

  stats(): BusStats {
    return {
      lag: this.durable - this.checkpoint.next, bytes: this.diskBytes, diskFree: this.disk.freeBytes,
      ...(this.consumerError ? { error: this.consumerError } : {}),
    };
  }

  async consume(handler: BatchHandler, options: { maxRecords: number }): Promise<void> {
    if (this.loop) throw new ScalehouseError('the local bus has one consumer');
    this.loop = this.run(handler, options.maxRecords).catch((err) => {
      log.error('local bus consumer stopped', { error: errorMessage(err) });
    });
  }

  private async run(handler: BatchHandler, maxRecords: number): Promise<void> {
    let cursor = { segment: -1, byte: 0, index: -1 }; // segment = its start index
    for (let failures = 0; !this.stopping; ) {
      try {
        cursor = await this.step(handler, maxRecords, cursor);
        failures = 0;
        this.consumerError = undefined;
      } catch (err) {
        // Disk trouble (full, unreadable) must not end consuming for good: report it, wait, try again.
        this.consumerError = errorMessage(err);
        log.error('local bus consumer: cannot read or checkpoint, will retry', { attempt: failures, error: this.consumerError });
        cursor = { segment: -1, byte: 0, index: -1 };
        await backoff(failures++);
      }
    }
  }

  /** One batch: pick (or redo) a range, hand it to the handler until it succeeds, then commit. */
  private async step(handler: BatchHandler, maxRecords: number, cursor: { segment: number; byte: number; index: number }) {
    const redo = this.checkpoint.inflight;
    if (!redo && this.durable <= this.checkpoint.next) {
      this.progressAt = Date.now();
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
      return cursor;
    }
    const range = redo ?? { from: this.checkpoint.next, to: Math.min(this.durable, this.checkpoint.next + maxRecords) };
    const { records, after } = await this.read(range.from, range.to, cursor);
    const batch: BusBatch = { records, token: `local:${this.busId}:${range.from}-${range.to}`, stream: 'local' };
    const done = await deliver({
      // Written before the insert: a crash redelivers exactly this range under this token.
      save: redo ? undefined : () => this.saveCheckpoint({ next: this.checkpoint.next, inflight: range }),
      handle: () => handler(batch),
      commit: async () => {
        await this.saveCheckpoint({ next: range.to, inflight: null });
        this.progressAt = Date.now();
        await this.trim();
      },
      keepTrying: () => !this.stopping,
      onFailure: (err, attempt) => {
        this.consumerError = `batch ${batch.token} not loaded: ${errorMessage(err)}`;
        log.warn('batch not loaded, will retry', { token: batch.token, attempt, error: errorMessage(err) });
      },
    });
    // Shutting down: the range stays in flight and is redelivered on restart.
    return done ? after : cursor;
  }

  /** Reads records [from, to), continuing from the cursor when it points at `from`. */
  private async read(from: number, to: number, cursor: { segment: number; byte: number; index: number }) {
    const records: BusRecord[] = [];
    let index = from;
    let { segment, byte } = cursor.index === from ? cursor : { segment: -1, byte: 0 };
    while (index < to) {
      const seg = this.segments.findLast((s) => s.start <= index);
      const resume = seg !== undefined && seg.start === segment;
      const { lines, next } = seg
        ? await readRecords(seg.path, resume ? byte : 0, to - index, resume ? 0 : index - seg.start)
        : { lines: [], next: 0 };
      if (lines.length === 0) {
        // Records the log does not hold: before its first segment (deleted by hand), past the end of
        // a segment (damage ate a newline), or past the end of the log (lost before a restart). Hand
        // them on as damaged — counted dead letters — rather than stall here forever.
        const upTo = Math.min(to, this.segments.find((x) => x.start > index)?.start ?? to);
        log.warn('local bus: records missing from the log are handed on as lost', { from: index, to: upTo });
        for (; index < upTo; index++) {
          records.push({ value: '', position: `local:${index}`, offset: index, damaged: 'bus record lost: the log does not hold it' });
        }
        continue;
      }
      for (const line of lines) {
        const rec = decodeRecord(line);
        records.push('value' in rec
          ? { value: rec.value, position: `local:${index}`, offset: index }
          : { value: line.toString('utf8'), position: `local:${index}`, offset: index, damaged: rec.damaged });
        index++;
      }
      segment = seg!.start;
      byte = next;
    }
    return { records, after: { segment, byte, index } };
  }

  private async saveCheckpoint(cp: Checkpoint): Promise<void> {
    await writeFileAtomic(this.checkpointPath, JSON.stringify(cp));
    this.checkpoint = cp;
  }

  /** Deletes segments whose every record is behind the checkpoint (never the one being written). */
  private async trim(): Promise<void> {
    while (this.segments.length > 1 && this.segments[1]!.start <= this.checkpoint.next) {
      const seg = this.segments.shift()!;
      const size = await sizeOf(seg.path);
      await deleteSegment(seg.path);
      this.diskBytes -= size;
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.maintenance);
    this.wake?.();
    await this.flushing;
    await this.loop;
    await this.writer.close();
  }
}
