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
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Hit } from '../../common/hit.ts';
import { BusUnavailableError, ScalehouseError, errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { BatchHandler, Bus, BusBatch, BusRecord, BusStats } from '../bus.ts';
import { encodeRecord, decodeRecord } from './record-codec.ts';
import { readJsonFile, readOrCreateStateFile, writeFileAtomic } from '../../common/state-files.ts';
import { deleteSegment, listSegments, readRecords, recoverSegment, segmentName, sizeOf, type Segment } from './segments.ts';
import { backoff } from '../../common/backoff.ts';
import { deliver } from '../deliver.ts';

interface Checkpoint { next: number; inflight: { from: number; to: number } | null }
interface Pending { buf: Buffer; count: number; resolve: () => void; reject: (e: Error) => void }

export interface LocalBusOptions {
  dir: string;
  /** Refuse new hits (503) once this many unconsumed bytes sit on disk. */
  maxBytes?: number;
  segmentBytes?: number;
}

export class LocalBus implements Bus {
  private busId = '';
  private segments: Segment[] = [];
  private writer: FileHandle | undefined;
  private writerBytes = 0;
  private durable = 0; // records fully written and synced
  private checkpoint: Checkpoint = { next: 0, inflight: null };
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private diskBytes = 0;
  private wake: (() => void) | undefined;
  private stopping = false;
  private consumerError: string | undefined;
  private loop: Promise<void> | undefined;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;

  private constructor(private readonly opts: LocalBusOptions) {
    this.maxBytes = opts.maxBytes ?? 1024 ** 3;
    this.segmentBytes = opts.segmentBytes ?? 16 * 1024 ** 2;
  }

  static async open(opts: LocalBusOptions): Promise<LocalBus> {
    const bus = new LocalBus(opts);
    await bus.recover();
    return bus;
  }

  private get checkpointPath(): string { return join(this.opts.dir, 'consumer.json'); }

  private async recover(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true });
    // The id keeps tokens unique if the bus folder is ever wiped while ClickHouse keeps its data.
    this.busId = (await readOrCreateStateFile(
      { path: join(this.opts.dir, 'bus-id'), what: 'the local bus id', whyKept: 'it is part of every deduplication token, and a new one would load unfinished batches twice' },
      () => randomUUID(),
    )).value;
    this.checkpoint = (await readJsonFile<Checkpoint>(this.checkpointPath)) ?? { next: 0, inflight: null };
    this.segments = await listSegments(this.opts.dir);
    const last = this.segments.at(-1);
    if (!last) {
      this.durable = this.checkpoint.next;
      await this.openSegment(this.durable);
      return;
    }
    // Only the last segment can end in a torn write; older ones are whole by construction, and a
    // record damaged on disk there is handed on as `damaged` (a dead letter), never cut off.
    for (const seg of this.segments.slice(0, -1)) this.diskBytes += await sizeOf(seg.path);
    const tail = await recoverSegment(last.path);
    if (tail.cut) log.warn('local bus: dropped a torn, unacknowledged record at the end of the log', { bytes: tail.cut });
    this.durable = last.start + tail.records;
    this.diskBytes += tail.bytes;
    this.writer = await open(last.path, 'a');
    this.writerBytes = tail.bytes;
  }

  private async openSegment(start: number): Promise<void> {
    await this.writer?.close();
    const seg = { start, path: join(this.opts.dir, segmentName(start)) };
    this.writer = await open(seg.path, 'a');
    this.writerBytes = 0;
    this.segments.push(seg);
  }

  publish(hits: Hit[]): Promise<void> {
    if (hits.length === 0) return Promise.resolve();
    if (this.stopping) return Promise.reject(new BusUnavailableError('the local bus is shutting down'));
    const buf = Buffer.concat(hits.map((h) => encodeRecord(JSON.stringify(h))));
    if (this.diskBytes + this.queuedBytes + buf.length > this.maxBytes) {
      return Promise.reject(new BusUnavailableError(
        `the local bus holds ${this.diskBytes} unprocessed bytes (limit ${this.maxBytes}); is ClickHouse keeping up?`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, count: hits.length, resolve, reject });
      this.queuedBytes += buf.length;
      this.flushing ??= this.flush();
    });
  }

  /** Group commit: everything queued so far goes out in one write and one fdatasync. */
  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      const buf = Buffer.concat(batch.map((p) => p.buf));
      this.queuedBytes -= buf.length;
      const count = batch.reduce((n, p) => n + p.count, 0);
      try {
        if (this.writerBytes > 0 && this.writerBytes + buf.length > this.segmentBytes) await this.openSegment(this.durable);
        await this.writer!.write(buf, 0, buf.length, null);
        await this.writer!.datasync();
      } catch (err) {
        // Cut back what may have been half written, so the next append starts on a record boundary.
        await this.writer!.truncate(this.writerBytes).catch(() => undefined);
        const e = new BusUnavailableError(`cannot write the local bus: ${errorMessage(err)}`, err);
        for (const p of batch) p.reject(e);
        continue;
      }
      this.writerBytes += buf.length;
      this.diskBytes += buf.length;
      this.durable += count;
      for (const p of batch) p.resolve();
      this.wake?.();
    }
    this.flushing = undefined;
  }

  stats(): BusStats {
    return { lag: this.durable - this.checkpoint.next, bytes: this.diskBytes, ...(this.consumerError ? { error: this.consumerError } : {}) };
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
        await this.trim();
      },
      keepTrying: () => !this.stopping,
      onFailure: (err, attempt) => log.warn('batch not loaded, will retry', { token: batch.token, attempt, error: errorMessage(err) }),
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
      if (!seg) throw new ScalehouseError(`local bus: record ${index} is missing (segments were deleted by hand?)`, { retriable: true });
      const resume = seg.start === segment;
      const { lines, next } = await readRecords(seg.path, resume ? byte : 0, to - index, resume ? 0 : index - seg.start);
      if (lines.length === 0) {
        // The segment holds fewer records than its successor's name says: damage on disk ate a
        // newline. Hand the missing ones on as damaged (dead letters) rather than stall here.
        const next = this.segments.find((x) => x.start > index);
        if (!next) throw new ScalehouseError(`local bus: record ${index} is not in ${seg.path}`, { retriable: true });
        for (; index < Math.min(next.start, to); index++) {
          records.push({ value: '', position: `local:${index}`, offset: index, damaged: 'bus record lost: its segment is damaged' });
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
      segment = seg.start;
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
    this.wake?.();
    await this.flushing;
    await this.loop;
    await this.writer?.close();
    this.writer = undefined;
  }
}
