/**
 * A real small file system for disk-full tests: a tmpfs mounted by the test
 * (as root, as CI runs; elsewhere the test says how to run it). Filled with
 * a ballast file that the test deletes to "free space".
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const canMount = process.getuid?.() === 0;

export interface SmallDisk {
  dir: string;
  freeBytes: () => number;
  fill: (leaveBytes: number) => () => void;
  unmount: () => void;
}

/** Mounts a tmpfs of `bytes` at a new folder (or at `at`). */
export function mountTmpfs(bytes: number, at?: string): SmallDisk {
  const dir = at ?? mkdtempSync(join(tmpdir(), 'scalehouse-tmpfs-'));
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
  const freeBytes = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  let ballasts = 0;
  return {
    dir,
    freeBytes,
    /** Writes a ballast file leaving about `leaveBytes` free; returns the function that deletes it. */
    fill: (leaveBytes) => {
      const path = join(dir, `ballast-${ballasts++}`);
      writeFileSync(path, Buffer.alloc(Math.max(0, freeBytes() - leaveBytes)));
      return () => rmSync(path, { force: true });
    },
    unmount: () => {
      execFileSync('umount', ['-l', dir]);
      if (!at) rmSync(dir, { recursive: true, force: true });
    },
  };
}
