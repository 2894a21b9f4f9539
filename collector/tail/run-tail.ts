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
import { logHit, type LogHit } from '../../common/hit.ts';
import { deliver } from '../../bus/deliver.ts';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { FileFollower, type Chunk } from './follow-file.ts';
import { TailStateFile } from './tail-state.ts';

export interface TailMeta {
  token: string;
  stream: string;
  offsets: number[];
  positions: string[];
  end: number;
  /** Per line: set when it was longer than LOG_LINE_MAX_BYTES and its hit holds only its head (follow-file.ts). */
  cuts: (string | undefined)[];
}

export interface TailSink {
  /** Resolves once the lines are safe; throws an error no retry cures (common/errors.ts isRetriable) to stop. */
  send(hits: LogHit[], meta: TailMeta): Promise<void>;
  /** True when a resent chunk is dropped by its token (direct ClickHouse loading). */
  exactlyOnce: boolean;
}

export interface TailOptions {
  path: string;
  site: string;
  stateDir: string;
  sink: TailSink;
  maxLineBytes: number;
  pollMs?: number;
  fromEnd?: boolean;
  signal: AbortSignal;
  onChunk?: (lines: number) => void;
}

export async function runTail(opts: TailOptions): Promise<void> {
  await mkdir(opts.stateDir, { recursive: true, mode: 0o700 });
  const stateFile = new TailStateFile(opts.stateDir, opts.path);
  const saved = await stateFile.load();
  const follower = new FileFollower(opts.path, opts.maxLineBytes);
  await follower.open(saved, opts.fromEnd);
  const stream = `tail:${createHash('sha256').update(opts.path).digest('hex').slice(0, 12)}`;

  /** Hands a chunk's lines to the sink and moves the saved position past it (bus/deliver.ts). */
  const handOn = async (chunk: Chunk): Promise<boolean> => {
    const advance = async () => {
      await follower.commit(chunk);
      // Lines drained from a rotated file move no saved position: the followed file's is what resumes.
      if (!chunk.draining) await stateFile.save(follower.position);
    };
    if (chunk.lines.length === 0) {
      await advance();
      return true;
    }
    const { dev, ino, birth } = chunk.file;
    const token = `tail:${dev}:${ino}:${birth}:${chunk.gen}:${chunk.from}-${chunk.to}`;
    const from = { receivedAt: Date.now() };
    const hits = chunk.lines.map((l) => logHit(opts.site, l.text, from));
    const meta: TailMeta = {
      token,
      stream,
      offsets: chunk.lines.map((l) => chunk.base + l.at),
      positions: chunk.lines.map((l) => `${opts.path}@${l.at}`),
      end: chunk.base + chunk.to,
      cuts: chunk.lines.map((l) => l.cut),
    };
    return deliver({
      save: opts.sink.exactlyOnce && !chunk.draining ? () => stateFile.save({ ...follower.position, pendingTo: chunk.to }) : undefined,
      handle: () => opts.sink.send(hits, meta),
      commit: async () => {
        opts.onChunk?.(chunk.lines.length);
        await advance();
      },
      keepTrying: () => !opts.signal.aborted,
      onFailure: (err, attempt, retriable) => {
        // Stops following: the saved position stays before these lines, so a restart once the cause is fixed resends them.
        if (!retriable) throw err;
        log.warn(`tail ${opts.path}: lines not delivered, will retry`, { attempt, error: errorMessage(err) });
      },
    });
  };

  try {
    // A chunk that was being loaded when the last run stopped is redone first, to the byte.
    if (saved?.pendingTo !== undefined && follower.position.pos === saved.pos) {
      const chunk = await follower.read(saved.pendingTo);
      if (chunk) await handOn(chunk);
    }
    while (!opts.signal.aborted) {
      const chunk = await follower.read();
      if (!chunk) {
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
        continue;
      }
      if (!(await handOn(chunk))) break;
    }
  } finally {
    await follower.close();
  }
}
