/**
 * The writing side of the local bus: hits are queued, and everything queued
 * goes out in one write and one fdatasync (group commit); each publish
 * resolves only when its records are whole on disk. It owns the list of
 * segments and the count of durable records, rolls to a new segment by size
 * and by age (so consumed hits do not linger), keeps a free-space reserve,
 * and deletes segments the consumer has passed.
 */
import { BusUnavailableError, InsufficientStorageError, errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { RecentRefusal } from '../recent-refusal.ts';
import type { DiskSpace } from './disk-space.ts';
import type { SegmentWriter } from './segment-writer.ts';
import { deleteSegment, sizeOf, type Segment } from './segments.ts';

interface Pending {
  buf: Buffer;
  count: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export interface AppenderOptions {
  segmentBytes: number;
  segmentMaxAgeMs: number;
}

export class LogAppender {
  readonly refused = new RecentRefusal();
  /** Called when records became durable (the consumer waits for it). */
  onDurable: (() => void) | undefined;
  private queue: Pending[] = [];
  private queued = 0;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly writer: SegmentWriter,
    readonly disk: DiskSpace,
    private readonly opts: AppenderOptions,
    /** The segments, oldest first; the last is the one written to. */
    readonly segments: Segment[],
    /** Records whole and synced: the index the next record gets. */
    public durable: number,
    /** Bytes of all segments on disk. */
    public diskBytes: number,
  ) {}

  get queuedBytes(): number {
    return this.queued;
  }

  /** Resolves once the records in `buf` are durable; rejects (nothing of them acknowledged) otherwise. */
  append(buf: Buffer, count: number): Promise<void> {
    if (!this.disk.allows(this.queued + buf.length)) return Promise.reject(this.refused.note(this.diskFull()));
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, count, resolve, reject });
      this.queued += buf.length;
      this.flushing ??= this.flush();
    });
  }

  diskFull(): InsufficientStorageError {
    return new InsufficientStorageError(
      `the disk of the local bus has ${Math.max(0, Math.round(this.disk.freeBytes / 1024 ** 2))} MiB free, ` +
        `less than the ${Math.round(this.disk.reserveBytes / 1024 ** 2)} MiB kept in reserve (DISK_RESERVE_MB); free some space and hits are taken again`,
    );
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      const buf = Buffer.concat(batch.map((p) => p.buf));
      this.queued -= buf.length;
      try {
        if (!this.disk.allows(buf.length)) throw this.diskFull();
        if (
          this.writer.bytes > 0 &&
          (this.writer.bytes + buf.length > this.opts.segmentBytes || this.writer.ageMs > this.opts.segmentMaxAgeMs)
        ) {
          this.segments.push(await this.writer.roll(this.durable));
        }
        await this.writer.append(buf);
      } catch (err) {
        // Nothing of this group is acknowledged: the segment is back at its last whole record.
        const e =
          err instanceof BusUnavailableError ? err : new BusUnavailableError(`cannot write the local bus: ${errorMessage(err)}`, err);
        this.refused.note(e);
        void this.disk.refresh();
        for (const p of batch) p.reject(e);
        continue;
      }
      this.disk.wrote(buf.length);
      this.refused.clear();
      this.diskBytes += buf.length;
      this.durable += batch.reduce((n, p) => n + p.count, 0);
      for (const p of batch) p.resolve();
      this.onDurable?.();
    }
    this.flushing = undefined;
  }

  /** Starts a new segment when the one written to is old, so that its hits are deleted once consumed. */
  async rollIfOld(consumedUpTo: number): Promise<void> {
    if (this.flushing || this.writer.bytes === 0 || this.writer.ageMs < this.opts.segmentMaxAgeMs) return;
    this.flushing = (async () => {
      this.segments.push(await this.writer.roll(this.durable));
      await this.trim(consumedUpTo);
    })()
      .catch((err) => log.warn('local bus: cannot start a new segment', { error: errorMessage(err) }))
      .finally(() => {
        // Hits appended while the segment rolled found a write under way and only queued: write them now.
        this.flushing = this.queue.length ? this.flush() : undefined;
      });
    await this.flushing;
  }

  /** Deletes segments whose every record is before `consumedUpTo` (never the one written to). */
  async trim(consumedUpTo: number): Promise<void> {
    while (this.segments.length > 1 && this.segments[1]!.start <= consumedUpTo) {
      const seg = this.segments.shift()!;
      const size = await sizeOf(seg.path);
      await deleteSegment(seg.path);
      this.diskBytes -= size;
    }
  }

  /** Waits for the writes under way, then closes the segment. */
  async close(): Promise<void> {
    await this.flushing;
    await this.writer.close();
  }
}
