/**
 * Appends records to the last segment of the local bus, whole or not at all.
 * A write is retried until every byte is out (the kernel may write less than
 * asked when the disk fills); the segment is open with O_DSYNC
 * (common/data-files.ts 'append-synced'), so each write returns with its
 * bytes synced, as a write and an fdatasync did before; only then are the
 * records durable. If anything fails, the segment is cut back to its last whole
 * record, so the next append starts on a record boundary; if even that cut
 * fails, nothing more is appended until it succeeds — a record written after
 * half of another would be lost with it.
 */
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { openDataFile } from '../../common/data-files.ts';
import { segmentName, type Segment } from './segments.ts';

export class SegmentWriter {
  private fh: FileHandle | undefined;
  /** Bytes of whole, synced records in the current segment: the only size it may have. */
  private size = 0;
  private needsCut = false;
  private openedAt = Date.now();

  constructor(private readonly dir: string) {}

  get bytes(): number {
    return this.size;
  }
  get ageMs(): number {
    return Date.now() - this.openedAt;
  }

  /** Continues an existing segment whose whole records end at `size`. */
  async resume(seg: Segment, size: number): Promise<void> {
    await this.fh?.close();
    this.fh = await openDataFile(seg.path, 'append-synced');
    this.size = size;
    this.openedAt = Date.now();
  }

  /** Starts a new segment whose first record will have index `start`. */
  async roll(start: number): Promise<Segment> {
    const seg = { start, path: join(this.dir, segmentName(start)) };
    await this.fh?.close();
    this.fh = undefined;
    // A segment's name is known in advance: a link planted under it is refused, not appended through.
    this.fh = await openDataFile(seg.path, 'append-synced');
    this.size = 0;
    this.needsCut = false;
    this.openedAt = Date.now();
    return seg;
  }

  /** Writes every byte of `buf` and syncs it, or throws with the segment cut back to its last whole record. */
  async append(buf: Buffer): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new Error('no segment is open: the last roll could not open one');
    if (this.needsCut) {
      await fh.truncate(this.size);
      this.needsCut = false;
    }
    try {
      // O_APPEND: each write goes to the end, which is where the last one stopped.
      for (let done = 0; done < buf.length; ) {
        const { bytesWritten } = await fh.write(buf, done, buf.length - done, null);
        if (bytesWritten <= 0) throw new Error('the disk took no bytes');
        done += bytesWritten;
      }
    } catch (err) {
      // Never to a larger size: truncate would pad with zeros.
      this.needsCut = true;
      await fh.truncate(this.size).then(
        () => {
          this.needsCut = false;
        },
        () => undefined,
      );
      throw err;
    }
    this.size += buf.length;
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}
