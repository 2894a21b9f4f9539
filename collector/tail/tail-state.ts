/**
 * Where `scalehouse tail` is in a file, kept across restarts (atomic writes):
 * the file's identity (device, inode, birth time), the byte position after
 * the last line handed on, a generation bumped by each copytruncate, a base
 * that keeps offsets growing across rotations, and — while a chunk is being
 * loaded — the chunk's end, so a restart redoes exactly that chunk.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readJsonFile } from '../../common/state-files.ts';
import { writeFileAtomic } from '../../common/data-files.ts';

export interface FileId {
  dev: number;
  ino: number;
  birth: number;
}
export interface TailState {
  file: FileId;
  pos: number;
  gen: number;
  base: number;
  pendingTo?: number;
  /** SHA-256 of the bytes just before `pos`: if they change, the file was truncated and rewritten. */
  mark?: string;
}

export const sameFile = (a: FileId, b: FileId): boolean => a.dev === b.dev && a.ino === b.ino && a.birth === b.birth;

export class TailStateFile {
  readonly path: string;

  constructor(dir: string, logPath: string) {
    this.path = join(dir, `${createHash('sha256').update(logPath).digest('hex').slice(0, 16)}.json`);
  }

  load(): Promise<TailState | undefined> {
    return readJsonFile<TailState>(this.path);
  }

  save(state: TailState): Promise<void> {
    return writeFileAtomic(this.path, JSON.stringify(state));
  }
}
