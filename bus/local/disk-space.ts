/**
 * Free space on the disk that holds the local bus, so intake is refused
 * (507) while a reserve is still free, instead of when a write fails half-way.
 * statfs is cheap but not free: it is read at most once a second, and bytes
 * written since are subtracted in between.
 */
import { statfs } from 'node:fs/promises';

const REFRESH_MS = 1000;

export class DiskSpace {
  private free = Infinity;
  private readAt = -Infinity;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    readonly reserveBytes: number,
  ) {}

  /** Free bytes as last measured, less what was written since. */
  get freeBytes(): number {
    if (Date.now() - this.readAt > REFRESH_MS) void this.refresh();
    return this.free;
  }

  /** Whether `bytes` more can be written and the reserve still be left free. */
  allows(bytes: number): boolean {
    return this.reserveBytes === 0 || this.freeBytes - bytes >= this.reserveBytes;
  }

  wrote(bytes: number): void {
    this.free -= bytes;
  }

  /** Measures again (at most one measurement at a time); an error leaves the last value. */
  refresh(): Promise<void> {
    this.reading ??= statfs(this.dir)
      .then((s) => {
        this.free = s.bavail * s.bsize;
        this.readAt = Date.now();
      })
      .catch(() => undefined)
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
