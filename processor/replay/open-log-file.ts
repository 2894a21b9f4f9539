/**
 * A log file's lines (log-lines.ts), gunzipped as they stream when its name
 * ends in .gz — never decompressed into one buffer — and its raw bytes shown
 * to `onRaw` as they are read (to hash the file in the same pass).
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { NotALogError, readLogLines, type LineLimits, type LogLine } from './log-lines.ts';

/** zlib's errors (Z_DATA_ERROR: "incorrect header check", Z_BUF_ERROR: "unexpected end of file") all carry a Z_ code. */
const isZlibError = (err: unknown): err is Error =>
  typeof (err as NodeJS.ErrnoException)?.code === 'string' && (err as NodeJS.ErrnoException).code!.startsWith('Z_');

/** The lines of `input`, with a gzip error said as what it means for the file. */
async function* linesOf(input: Readable, limits: LineLimits): AsyncGenerator<LogLine> {
  try {
    yield* readLogLines(input, limits);
  } catch (err) {
    if (isZlibError(err))
      throw new NotALogError(`${limits.name} is not gzip data, or is damaged (${err.message}): a file named .gz must be gzip`, {
        cause: err,
      });
    throw err;
  }
}

export function openLogFile(
  path: string,
  limits: LineLimits,
  onRaw?: (chunk: Buffer) => void,
): { raw: ReadStream; lines: AsyncGenerator<LogLine> } {
  const raw = createReadStream(path);
  const stages: Transform[] = [];
  if (onRaw)
    stages.push(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          onRaw(chunk);
          done(null, chunk);
        },
      }),
    );
  if (path.endsWith('.gz')) stages.push(createGunzip());
  if (stages.length === 0) return { raw, lines: linesOf(raw, limits) };
  // An error anywhere destroys every stage, so reading the last one throws it; stopping early
  // (a NotALogError, a failed batch) destroys the last one, and with it the file.
  pipeline(raw, ...(stages as [Transform])).catch(() => {});
  return { raw, lines: linesOf(stages.at(-1)!, limits) };
}
