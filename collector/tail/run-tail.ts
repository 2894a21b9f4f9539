/**
 * `scalehouse tail`'s loop: follow a file, hand each chunk of new lines to a
 * sink, and save the position once the sink has them. For a sink that loads
 * ClickHouse directly, the chunk's end is saved *before* loading and the
 * chunk's token names the file, generation and byte range, so a restart redoes
 * exactly that chunk and ClickHouse drops what already landed: every line
 * exactly once, even after SIGKILL. Through HTTP, a kill between the 2xx and
 * the position save may send that one chunk again.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { HIT_VERSION, type LogHit } from '../../common/hit.ts';
import { retryWithBackoff } from '../../common/backoff.ts';
import { ScalehouseError, errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { FileFollower, type Chunk } from './follow-file.ts';
import { TailStateFile } from './tail-state.ts';

export interface TailSink {
  /** Resolves once the lines are safe; throws ScalehouseError with retriable=false to stop. */
  send(hits: LogHit[], meta: { token: string; stream: string; offsets: number[]; positions: string[]; end: number }): Promise<void>;
  /** True when a resent chunk is dropped by its token (direct ClickHouse loading). */
  exactlyOnce: boolean;
}

export interface TailOptions {
  path: string; site: string; stateDir: string; sink: TailSink; maxLineBytes: number;
  pollMs?: number; fromEnd?: boolean; signal: AbortSignal; onChunk?: (lines: number) => void;
}

export async function runTail(opts: TailOptions): Promise<void> {
  await mkdir(opts.stateDir, { recursive: true });
  const stateFile = new TailStateFile(opts.stateDir, opts.path);
  const saved = await stateFile.load();
  const follower = new FileFollower(opts.path, opts.maxLineBytes);
  await follower.open(saved, opts.fromEnd);
  const stream = `tail:${createHash('sha256').update(opts.path).digest('hex').slice(0, 12)}`;

  const deliver = async (chunk: Chunk) => {
    if (chunk.lines.length) {
      const { dev, ino, birth } = chunk.file;
      const token = `tail:${dev}:${ino}:${birth}:${chunk.gen}:${chunk.from}-${chunk.to}`;
      const receivedAt = Date.now();
      const hits: LogHit[] = chunk.lines.map((l) => ({ v: HIT_VERSION, kind: 'log', site: opts.site, receivedAt, client: '', headers: {}, line: l.text }));
      const meta = { token, stream, offsets: chunk.lines.map((l) => chunk.base + l.at), positions: chunk.lines.map((l) => `${opts.path}@${l.at}`), end: chunk.base + chunk.to };
      if (opts.sink.exactlyOnce && !chunk.draining) await stateFile.save({ ...follower.position, pendingTo: chunk.to });
      const sent = await retryWithBackoff(() => opts.sink.send(hits, meta), () => !opts.signal.aborted, (err, attempt) => {
        if (err instanceof ScalehouseError && !err.retriable) throw err;
        log.warn(`tail ${opts.path}: lines not delivered, will retry`, { attempt, error: errorMessage(err) });
      });
      if (!sent) return false;
      opts.onChunk?.(chunk.lines.length);
    }
    await follower.commit(chunk);
    // Lines drained from a rotated file move no saved position: the followed file's is what resumes.
    if (!chunk.draining) await stateFile.save(follower.position);
    return true;
  };

  try {
    // A chunk that was being loaded when the last run stopped is redone first, to the byte.
    if (saved?.pendingTo !== undefined && follower.position.pos === saved.pos) {
      const chunk = await follower.read(saved.pendingTo);
      if (chunk) await deliver(chunk);
    }
    while (!opts.signal.aborted) {
      const chunk = await follower.read();
      if (!chunk) {
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
        continue;
      }
      if (!(await deliver(chunk))) break;
    }
  } finally {
    await follower.close();
  }
}
