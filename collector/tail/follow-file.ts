/**
 * Follows a growing log file the way `tail -F` and GoAccess do, by polling:
 * - new complete lines are handed on in chunks, with their byte range;
 * - rename rotation (logrotate's default): the old file is read to its end
 *   (through the descriptor still open, or FILE.1 after a restart), then the
 *   new file from its start;
 * - copytruncate: the file shrinks under us; reading restarts at 0 in a new
 *   generation. Lines written between our last read and the truncation are
 *   lost to any reader — that is copytruncate's own gap.
 * The caller decides when a chunk is done (`commit`), so a position is only
 * saved for lines that were really handed on.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { FileId, TailState } from './tail-state.ts';
import { sameFile } from './tail-state.ts';

export interface Chunk { file: FileId; gen: number; from: number; to: number; base: number; lines: { text: string; at: number }[] }

const READ_BYTES = 1024 * 1024;
const idOf = (s: { dev: number; ino: number; birthtimeMs: number }): FileId => ({ dev: s.dev, ino: s.ino, birth: Math.round(s.birthtimeMs) });

export class FileFollower {
  private fh: FileHandle | undefined;
  private state: TailState | undefined;

  constructor(private readonly path: string, private readonly maxLineBytes: number) {}

  /** Resumes from a saved state, else starts at the beginning (or the end) of the current file. */
  async open(saved: TailState | undefined, fromEnd = false): Promise<void> {
    const current = await stat(this.path, {}).catch(() => undefined);
    if (saved) {
      if (current && sameFile(idOf(current), saved.file)) {
        this.fh = await open(this.path, 'r');
        this.state = current.size < saved.pos ? { ...saved, pos: 0, gen: saved.gen + 1, base: saved.base + saved.pos, pendingTo: undefined } : saved;
        return;
      }
      // Rotated while we were away: finish the old file if it sits at FILE.1.
      const old = await stat(`${this.path}.1`).catch(() => undefined);
      if (old && sameFile(idOf(old), saved.file)) {
        this.fh = await open(`${this.path}.1`, 'r');
        this.state = saved;
        return;
      }
    }
    if (!current) throw new Error(`${this.path} does not exist`);
    this.fh = await open(this.path, 'r');
    const base = saved ? saved.base + saved.pos : 0;
    this.state = { file: idOf(await this.fh.stat()), pos: fromEnd ? current.size : 0, gen: 0, base };
  }

  get position(): TailState {
    return { ...this.state! };
  }

  /** Reads the next chunk of complete lines, up to `end` if given (to redo a recorded chunk exactly). */
  async read(end?: number): Promise<Chunk | undefined> {
    const st = this.state!;
    const size = (await this.fh!.stat()).size;
    if (size < st.pos) {
      // copytruncate: same file, shorter than where we were.
      this.state = { ...st, pos: 0, gen: st.gen + 1, base: st.base + st.pos };
      return this.read();
    }
    const limit = Math.min(end ?? size, size, st.pos + READ_BYTES);
    if (limit <= st.pos) return this.rotateIfNeeded();
    const buf = Buffer.alloc(limit - st.pos);
    const { bytesRead } = await this.fh!.read(buf, 0, buf.length, st.pos);
    const lines: Chunk['lines'] = [];
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0 && nl < bytesRead; nl = buf.indexOf(0x0a, start)) {
      const text = buf.subarray(start, nl).toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') lines.push({ text: text.slice(0, this.maxLineBytes), at: st.pos + start });
      start = nl + 1;
    }
    if (start === 0) {
      // No complete line: a partial last line is waited for; an endless one is skipped.
      if (bytesRead >= READ_BYTES) return { file: st.file, gen: st.gen, from: st.pos, to: st.pos + bytesRead, base: st.base, lines: [] };
      return this.rotateIfNeeded();
    }
    return { file: st.file, gen: st.gen, from: st.pos, to: st.pos + start, base: st.base, lines };
  }

  /** Marks a chunk as handed on: the next read starts after it. */
  commit(chunk: Chunk): void {
    this.state = { ...this.state!, pos: chunk.to, pendingTo: undefined };
  }

  /** At the end of the open file: if the path now names another file, move to it. */
  private async rotateIfNeeded(): Promise<undefined> {
    const current = await stat(this.path).catch(() => undefined);
    if (!current || sameFile(idOf(current), this.state!.file)) return undefined;
    // Another file: the old one may still have grown after our last look. Finish its complete
    // lines first (the next read gets them); a partial line at its very end will never complete.
    const size = (await this.fh!.stat()).size;
    if (size > this.state!.pos) {
      const rest = Buffer.alloc(Math.min(size - this.state!.pos, READ_BYTES));
      await this.fh!.read(rest, 0, rest.length, this.state!.pos);
      if (rest.includes(0x0a)) return undefined;
    }
    await this.fh!.close();
    this.fh = await open(this.path, 'r');
    const st = this.state!;
    this.state = { file: idOf(await this.fh.stat()), pos: 0, gen: 0, base: st.base + st.pos };
    return undefined;
  }

  async close(): Promise<void> {
    await this.fh?.close();
  }
}
