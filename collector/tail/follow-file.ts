/**
 * Follows a growing log file the way `tail -F` and GoAccess do, by polling:
 * - new complete lines are handed on in chunks, with their byte range;
 * - rename rotation (logrotate's default): the new file is followed at once,
 *   and the old one is still drained for a while, since nginx writes to it
 *   until it reopens its logs; after a restart, FILE.1 is finished first;
 * - copytruncate: noticed because the file shrank or because the bytes just
 *   before our position changed (a fingerprint kept with the position), also
 *   across a restart; the copy (FILE.1) is then finished from where we were,
 *   and the file is read again from 0 in a new generation. Lines written
 *   between the copy and the truncation are in neither file: copytruncate's
 *   own gap.
 * The caller decides when a chunk is done (`commit`), so a position is only
 * saved for lines that were really handed on.
 *
 * A line longer than LOG_LINE_MAX_BYTES comes as its head with `cut` set
 * (common/line-cap.ts, the cap `scalehouse replay` uses too): the sink makes
 * it a `line_too_long` dead letter or leaves it out, never a hit. One longer
 * than a read is scanned to its end a read at a time, its head held and the
 * rest only counted, so a 100 MB line costs no more memory than a short one.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ScalehouseError, errorMessage } from '../../common/errors.ts';
import { LineCap } from '../../common/line-cap.ts';
import { log } from '../../common/log.ts';
import type { FileId, TailState } from './tail-state.ts';
import { sameFile } from './tail-state.ts';

export interface Chunk {
  file: FileId;
  gen: number;
  from: number;
  to: number;
  base: number;
  /** `cut`: the line was longer than the limit and `text` is its head (common/line-cap.ts). */
  lines: { text: string; at: number; cut?: string }[];
  /** Lines from a rotated file still being drained, not from the file followed now. */
  draining?: boolean;
}

const READ_BYTES = 1024 * 1024;
const MARK_BYTES = 256;
const DRAIN_MS = 10_000;
// Offsets of a new file start this far past the old one's end, so late lines drained from the old
// file keep offsets of their own.
const ROTATION_GAP = 2 ** 30;
const idOf = (s: { dev: number; ino: number; birthtimeMs: number }): FileId => ({
  dev: s.dev,
  ino: s.ino,
  birth: Math.round(s.birthtimeMs),
});

// Nothing at the path (ENOENT), or a file where the path needs a folder (ENOTDIR): missing. Any
// other failure — EACCES, ELOOP, EIO — is about a file that may well be there, and is reported.
const isMissing = (err: unknown): boolean => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/** The path's status, or undefined when nothing is there; other errors are thrown. */
async function statIfThere(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

interface Track {
  fh: FileHandle;
  state: TailState;
  lastGrowth: number;
  /** A line longer than one read, its end not yet found: where it starts, how far it was read, its head. */
  long?: { at: number; gen: number; scanned: number; line: LineCap };
}

async function markAt(fh: FileHandle, pos: number): Promise<string> {
  const from = Math.max(0, pos - MARK_BYTES);
  const buf = Buffer.alloc(pos - from);
  const { bytesRead } = await fh.read(buf, 0, buf.length, from);
  return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
}

export class FileFollower {
  private cur: Track | undefined;
  private old: Track | undefined;
  /** The last error of looking at the path (other than "missing"), reported once until it changes. */
  private statProblem: string | undefined;

  constructor(
    private readonly path: string,
    private readonly maxLineBytes: number,
  ) {}

  /** Resumes from a saved state, else starts at the beginning (or the end) of the current file. */
  async open(saved: TailState | undefined, fromEnd = false): Promise<void> {
    const current = await statIfThere(this.path);
    if (saved) {
      if (current && sameFile(idOf(current), saved.file)) {
        const fh = await open(this.path, 'r');
        if (current.size >= saved.pos && (!saved.mark || (await markAt(fh, saved.pos)) === saved.mark)) {
          this.cur = { fh, state: saved, lastGrowth: Date.now() };
          return;
        }
        // Truncated while we were away (copytruncate): finish the copy, if it is FILE.1, from where we were.
        await fh.close();
        if (await this.adoptCopy(saved)) return;
        this.cur = {
          fh: await open(this.path, 'r'),
          state: {
            ...saved,
            pos: 0,
            gen: saved.gen + 1,
            base: saved.base + saved.pos + ROTATION_GAP,
            pendingTo: undefined,
            mark: undefined,
          },
          lastGrowth: Date.now(),
        };
        return;
      }
      // Rotated while we were away: finish the old file if it sits at FILE.1.
      const old = await statIfThere(`${this.path}.1`);
      if (old && sameFile(idOf(old), saved.file)) {
        this.cur = { fh: await open(`${this.path}.1`, 'r'), state: saved, lastGrowth: Date.now() };
        return;
      }
    }
    if (!current) throw new ScalehouseError(`${this.path} does not exist`);
    const fh = await open(this.path, 'r');
    const base = saved ? saved.base + saved.pos + ROTATION_GAP : 0;
    this.cur = { fh, state: { file: idOf(await fh.stat()), pos: fromEnd ? current.size : 0, gen: 0, base }, lastGrowth: Date.now() };
    if (fromEnd) this.cur.state.mark = await markAt(fh, current.size);
  }

  /** After a truncation: FILE.1, if its bytes before our position are the ones we had read, is the copy. */
  private async adoptCopy(saved: TailState): Promise<boolean> {
    const copy = await open(`${this.path}.1`, 'r').catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
    if (!copy) return false;
    const st = await copy.stat();
    if (st.size >= saved.pos && (await markAt(copy, saved.pos)) === saved.mark) {
      this.cur = { fh: copy, state: { ...saved, file: idOf(st), pendingTo: undefined }, lastGrowth: Date.now() };
      return true;
    }
    await copy.close();
    return false;
  }

  get position(): TailState {
    return { ...this.cur!.state };
  }

  /** Reads the next chunk of complete lines, up to `end` if given (to redo a recorded chunk exactly). */
  async read(end?: number): Promise<Chunk | undefined> {
    if (this.old && end === undefined) {
      const late = await this.readTrack(this.old);
      if (late) return { ...late, draining: true };
      if (Date.now() - this.old.lastGrowth > DRAIN_MS) {
        await this.old.fh.close();
        this.old = undefined;
      }
    }
    const t = this.cur!;
    const size = (await t.fh.stat()).size;
    if (size < t.state.pos || (t.state.mark && t.state.pos > 0 && (await markAt(t.fh, t.state.pos)) !== t.state.mark)) {
      // copytruncate under our eyes: same file, rewritten from the start.
      const st = t.state;
      if (!(await this.adoptCopy(st)))
        this.cur = {
          fh: t.fh,
          state: { ...st, pos: 0, gen: st.gen + 1, base: st.base + st.pos + ROTATION_GAP, mark: undefined },
          lastGrowth: Date.now(),
        };
      else await t.fh.close();
      return this.read(end);
    }
    const chunk = await this.readTrack(t, end);
    if (chunk) return chunk;
    await this.rotateIfNeeded();
    return undefined;
  }

  private async readTrack(t: Track, end?: number): Promise<Chunk | undefined> {
    const st = t.state;
    const size = (await t.fh.stat()).size;
    const stop = Math.min(end ?? size, size);
    if (stop <= st.pos) return undefined;
    if (t.long && (t.long.at !== st.pos || t.long.gen !== st.gen)) t.long = undefined;
    if (t.long) return this.scanLong(t, stop);
    t.lastGrowth = Date.now();
    const buf = Buffer.alloc(Math.min(stop, st.pos + READ_BYTES) - st.pos);
    const { bytesRead } = await t.fh.read(buf, 0, buf.length, st.pos);
    const lines: Chunk['lines'] = [];
    const cap = new LineCap(this.maxLineBytes);
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0 && nl < bytesRead; nl = buf.indexOf(0x0a, start)) {
      // A \r before the \n belongs to the line break (a log written with CRLF), not to the line.
      cap.add(buf, start, nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl);
      const { text, cut } = cap.take();
      if (cut || text.trim() !== '') lines.push({ text, at: st.pos + start, ...(cut ? { cut } : {}) });
      start = nl + 1;
    }
    if (start > 0) return { file: st.file, gen: st.gen, from: st.pos, to: st.pos + start, base: st.base, lines };
    // No complete line: a partial last line is waited for; one longer than a read is scanned for its end.
    if (bytesRead < READ_BYTES) return undefined;
    const line = new LineCap(this.maxLineBytes);
    line.add(buf, 0, bytesRead);
    t.long = { at: st.pos, gen: st.gen, scanned: st.pos + bytesRead, line };
    return this.scanLong(t, stop);
  }

  /**
   * Reads on through a line longer than a read, a read at a time, up to `stop`: its head is kept
   * (LineCap), the rest counted and let go. Found, its end closes a chunk of that one line; not yet
   * written, the scan goes on from where it was at the next read.
   */
  private async scanLong(t: Track, stop: number): Promise<Chunk | undefined> {
    const long = t.long!;
    const st = t.state;
    while (long.scanned < stop) {
      t.lastGrowth = Date.now();
      // A new buffer each read: the head the LineCap holds is a view of the first one.
      const piece = Buffer.alloc(Math.min(READ_BYTES, stop - long.scanned));
      const { bytesRead } = await t.fh.read(piece, 0, piece.length, long.scanned);
      if (bytesRead === 0) break;
      const nl = piece.subarray(0, bytesRead).indexOf(0x0a);
      if (nl >= 0) {
        long.line.add(piece, 0, nl > 0 && piece[nl - 1] === 0x0d ? nl - 1 : nl);
        t.long = undefined;
        const { text, cut } = long.line.take();
        const to = long.scanned + nl + 1;
        return { file: st.file, gen: st.gen, from: long.at, to, base: st.base, lines: [{ text, at: long.at, ...(cut ? { cut } : {}) }] };
      }
      long.line.add(piece, 0, bytesRead);
      long.scanned += bytesRead;
    }
    return undefined;
  }

  /** Marks a chunk as handed on: the next read starts after it. */
  async commit(chunk: Chunk): Promise<void> {
    const t = chunk.draining ? this.old : this.cur;
    if (!t) return;
    t.state = { ...t.state, pos: chunk.to, pendingTo: undefined, mark: await markAt(t.fh, chunk.to) };
  }

  /** At the end of the followed file: if the path now names another file, follow that, draining the old one. */
  private async rotateIfNeeded(): Promise<void> {
    const t = this.cur!;
    let fh: FileHandle;
    try {
      const current = await statIfThere(this.path);
      if (!current || sameFile(idOf(current), t.state.file)) {
        this.statProblem = undefined;
        return;
      }
      // stat needs no read permission on the file itself: the open can still be refused.
      fh = await open(this.path, 'r');
      this.statProblem = undefined;
    } catch (err) {
      // Not missing, yet not readable (a new file not yet given its owner or mode by logrotate's
      // `create`, say): keep draining the file we have and look again at the next poll, saying so once.
      if (this.statProblem !== errorMessage(err))
        log.warn(`tail ${this.path}: cannot open the path, still following the file opened before`, { error: errorMessage(err) });
      this.statProblem = errorMessage(err);
      return;
    }
    await this.old?.fh.close();
    this.old = t;
    this.cur = {
      fh,
      state: { file: idOf(await fh.stat()), pos: 0, gen: 0, base: t.state.base + t.state.pos + ROTATION_GAP },
      lastGrowth: Date.now(),
    };
  }

  async close(): Promise<void> {
    await this.old?.fh.close();
    await this.cur?.fh.close();
  }
}
