/**
 * The lines of a log file for `scalehouse replay` and `explain`, read as a
 * stream with a bound on what is held: never more than one line's first
 * `maxLineBytes` (LOG_LINE_MAX_BYTES, the collector's limit for
 * `POST /api/logs`) plus one chunk of the stream. node:readline keeps a line
 * whole in one string, so a line of gigabytes — a gzip bomb, a binary file —
 * ended in an uncaught RangeError with a gigabyte held.
 *
 * - A line longer than `maxLineBytes` is yielded cut to its first
 *   HEAD_BYTES with `cut` saying so: the caller makes it a dead letter
 *   (`line_too_long`), and the rest of the file goes on. A head is enough to
 *   know the line again; whole, 5,000 of them to a batch held gigabytes.
 * - A line that runs past `notALogBytes` without a line break means the
 *   input is not a text log at all: NotALogError, and nothing more is read.
 *
 * Lines end as node:readline ends them with `crlfDelay: Infinity` (\n, \r\n,
 * or a lone \r), so a file is cut into the same numbered lines as before
 * and a replay's batch tokens (replay-file.ts) still match an earlier run's.
 */
import { ScalehouseError } from '../../common/errors.ts';

export interface LogLine {
  text: string;
  /** The line's length in bytes, as read (without its line break). */
  bytes: number;
  /** Set when the line was longer than the limit: what it was, for the dead letter. */
  cut?: string;
}

export interface LineLimits {
  maxLineBytes: number;
  notALogBytes: number;
  /** The input's name, for messages. */
  name: string;
}

/** The input holds a line no log has: it is something else (binary, a decompression bomb). */
export class NotALogError extends ScalehouseError {}

/** What a dead letter keeps of a line over the limit. */
export const HEAD_BYTES = 1024;

/** Runaway lines are this many times the line limit: well past any log line, still a bounded read. */
export const NOT_A_LOG_FACTOR = 16;

export const lineLimits = (name: string, maxLineBytes: number): LineLimits => ({
  name,
  maxLineBytes,
  notALogBytes: NOT_A_LOG_FACTOR * maxLineBytes,
});

/** The first `max` bytes of a line as text, cut on a character boundary. */
function textOf(parts: Buffer[], kept: number, max: number): string {
  const bytes = Buffer.concat(parts, kept);
  if (kept <= max) return bytes.toString('utf8');
  return bytes
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

export async function* readLogLines(input: AsyncIterable<Buffer | string>, limits: LineLimits): AsyncGenerator<LogLine> {
  const { maxLineBytes: max, notALogBytes } = limits;
  let parts: Buffer[] = [];
  let kept = 0; // bytes held in parts: at most max + 1
  let length = 0; // bytes of the line so far
  let lineNo = 0;
  let afterCR = false; // the last chunk ended in \r: a \n opening the next one ends no line
  const end = (): LogLine => {
    lineNo++;
    const head = Math.min(max, HEAD_BYTES);
    const line: LogLine =
      length > max
        ? {
            text: textOf(parts, kept, head),
            bytes: length,
            cut: `line of ${length} bytes, longer than ${max} (LOG_LINE_MAX_BYTES): kept its first ${head}`,
          }
        : { text: textOf(parts, kept, max), bytes: length };
    parts = [];
    kept = 0;
    length = 0;
    return line;
  };
  const add = (chunk: Buffer, from: number, to: number) => {
    length += to - from;
    if (kept <= max) {
      const take = Math.min(to, from + max + 1 - kept);
      parts.push(chunk.subarray(from, take));
      kept += take - from;
    }
    if (length > notALogBytes) {
      throw new NotALogError(
        `${limits.name}: line ${lineNo + 1} runs past ${notALogBytes} bytes without a line break: this is not a text access log ` +
          `(is it binary, or a compressed file that expands without end?). Lines longer than ${max} bytes (LOG_LINE_MAX_BYTES) are dead letters; none is ${NOT_A_LOG_FACTOR} times that.`,
      );
    }
  };
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    let pos = 0;
    if (afterCR && chunk[0] === 0x0a) pos = 1;
    afterCR = false;
    let nextLF = chunk.indexOf(0x0a, pos);
    let nextCR = chunk.indexOf(0x0d, pos);
    while (nextLF >= 0 || nextCR >= 0) {
      const at = nextCR < 0 ? nextLF : nextLF < 0 ? nextCR : Math.min(nextLF, nextCR);
      add(chunk, pos, at);
      yield end();
      pos = at + 1;
      if (chunk[at] === 0x0d) {
        if (pos === chunk.length) afterCR = true;
        else if (chunk[pos] === 0x0a) pos++;
      }
      // Search again only past a break already passed: a chunk is scanned once for each.
      if (nextLF < pos) nextLF = chunk.indexOf(0x0a, pos);
      if (nextCR < pos) nextCR = chunk.indexOf(0x0d, pos);
    }
    if (pos < chunk.length) add(chunk, pos, chunk.length);
  }
  if (length > 0) yield end();
}
