/**
 * One access-log line held with a cap, whoever reads it: `scalehouse replay`
 * and `explain` from a stream (processor/replay/log-lines.ts), `scalehouse
 * tail` from a growing file (collector/tail/follow-file.ts). Of a line, at
 * most its first `max + 1` bytes are held, however long it runs; its length
 * is counted to the end. A line longer than `max` (LOG_LINE_MAX_BYTES, the
 * limit over which `POST /api/logs` answers 413 `line_too_long`) comes out
 * as its first HEAD_BYTES with `cut` saying what it was: the caller makes it
 * a dead letter (`line_too_long`, processor/batch/run-records.ts), never a
 * hit whose end was lost. A head is enough to know the line again; whole,
 * 5,000 of them to a batch held gigabytes.
 */

export interface CappedLine {
  text: string;
  /** The line's length in bytes, as read (without its line break). */
  bytes: number;
  /** Set when the line was longer than the limit: what it was, for the dead letter. */
  cut?: string;
}

/** What a dead letter keeps of a line over the limit. */
export const HEAD_BYTES = 1024;

/** The first `max` bytes of a line as text, cut on a character boundary. */
function textOf(parts: Buffer[], kept: number, max: number): string {
  const bytes = Buffer.concat(parts, kept);
  if (kept <= max) return bytes.toString('utf8');
  return bytes
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/** The bytes of one line as they are read, in pieces; `take()` ends it and starts the next. */
export class LineCap {
  private parts: Buffer[] = [];
  private kept = 0; // bytes held in parts: at most max + 1
  /** Bytes of the line so far. */
  length = 0;

  constructor(private readonly max: number) {}

  /** Adds `chunk[from, to)` to the line. The pieces held are views of `chunk`, not copies. */
  add(chunk: Buffer, from: number, to: number): void {
    this.length += to - from;
    if (this.kept <= this.max) {
      const take = Math.min(to, from + this.max + 1 - this.kept);
      this.parts.push(chunk.subarray(from, take));
      this.kept += take - from;
    }
  }

  /** The line read so far, whole or cut to its head; the next `add` starts a new line. */
  take(): CappedLine {
    const { max, length, parts, kept } = this;
    const head = Math.min(max, HEAD_BYTES);
    const line: CappedLine =
      length > max
        ? {
            text: textOf(parts, kept, head),
            bytes: length,
            cut: `line of ${length} bytes, longer than ${max} (LOG_LINE_MAX_BYTES): kept its first ${head}`,
          }
        : { text: textOf(parts, kept, max), bytes: length };
    this.parts = [];
    this.kept = 0;
    this.length = 0;
    return line;
  }
}
