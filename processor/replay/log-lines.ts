/**
 * The lines of a log file for `scalehouse replay` and `explain`, read as a
 * stream with a bound on what is held: never more than one line's first
 * `maxLineBytes` (LOG_LINE_MAX_BYTES, the collector's limit for
 * `POST /api/logs`) plus one chunk of the stream. node:readline keeps a line
 * whole in one string, so a line of gigabytes — a gzip bomb, a binary file —
 * ended in an uncaught RangeError with a gigabyte held.
 *
 * - A line longer than `maxLineBytes` is yielded cut to its head with `cut`
 *   saying so (common/line-cap.ts, the same cap as `scalehouse tail`'s): the
 *   caller makes it a dead letter (`line_too_long`), and the rest of the file
 *   goes on.
 * - A line that runs past `notALogBytes` without a line break means the
 *   input is not a text log at all: NotALogError, and nothing more is read.
 *
 * Lines end as node:readline ends them with `crlfDelay: Infinity` (\n, \r\n,
 * or a lone \r), so a file is cut into the same numbered lines as before
 * and a replay's batch tokens (replay-file.ts) still match an earlier run's.
 */
import { ScalehouseError } from '../../common/errors.ts';
import { LineCap, type CappedLine } from '../../common/line-cap.ts';

export type LogLine = CappedLine;

export interface LineLimits {
  maxLineBytes: number;
  notALogBytes: number;
  /** The input's name, for messages. */
  name: string;
}

/** The input holds a line no log has: it is something else (binary, a decompression bomb). */
export class NotALogError extends ScalehouseError {}

/** Runaway lines are this many times the line limit: well past any log line, still a bounded read. */
export const NOT_A_LOG_FACTOR = 16;

export const lineLimits = (name: string, maxLineBytes: number): LineLimits => ({
  name,
  maxLineBytes,
  notALogBytes: NOT_A_LOG_FACTOR * maxLineBytes,
});

export async function* readLogLines(input: AsyncIterable<Buffer | string>, limits: LineLimits): AsyncGenerator<LogLine> {
  const { maxLineBytes: max, notALogBytes } = limits;
  const line = new LineCap(max);
  let lineNo = 0;
  let afterCR = false; // the last chunk ended in \r: a \n opening the next one ends no line
  const end = (): LogLine => {
    lineNo++;
    return line.take();
  };
  const add = (chunk: Buffer, from: number, to: number) => {
    line.add(chunk, from, to);
    if (line.length > notALogBytes) {
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
  if (line.length > 0) yield end();
}
