/**
 * DATA_DIR at start-up: made owner-only if it does not exist yet, and refused
 * — with what to run to fix it — if someone other than the user running
 * Scalehouse could make entries in it: another owner, or group or others
 * allowed to write. Whoever can make entries there can plant links that turn
 * Scalehouse's writes (run as root: writes anywhere) onto other files.
 * Files are opened without following links (data-files.ts); this covers the
 * folders above them, which O_NOFOLLOW does not.
 *
 * DATA_DIR itself may be a link the operator made (to another disk): what
 * counts is the folder it leads to. The folders Scalehouse makes inside it
 * must be real folders.
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsafePathError } from './errors.ts';

/** The folders Scalehouse makes in DATA_DIR: the local bus, `scalehouse tail`'s positions, the embedded engine. */
export const DATA_SUBDIRS = { bus: 'bus', tail: 'tail', clickhouse: 'clickhouse' } as const;

/** Makes DATA_DIR (owner-only) if missing, and refuses it or one of its folders if others could write there. */
export async function prepareDataDir(dir: string): Promise<void> {
  // `mode` is used only for folders mkdir makes: an existing one is checked below, not changed.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  refuseUnsafe(dir, 'DATA_DIR', await stat(dir), dir);
  for (const name of Object.values(DATA_SUBDIRS)) {
    const path = join(dir, name);
    const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (st) refuseUnsafe(path, `DATA_DIR's folder ${name}`, st, dir);
  }
}

function refuseUnsafe(path: string, what: string, st: Stats, dataDir: string): void {
  const problem = folderProblem(st, { uid: process.geteuid?.(), gid: process.getegid?.() }, path, dataDir);
  if (problem) throw new UnsafePathError(`${what} ${path} ${problem}`);
}

const risk = 'whoever can write there can plant links that make Scalehouse overwrite other files';

/** Why a folder under DATA_DIR is unsafe and what to do, or undefined. `user.uid` undefined: a platform without user ids. */
export function folderProblem(
  st: Pick<Stats, 'uid' | 'mode' | 'isDirectory' | 'isSymbolicLink'>,
  user: { uid: number | undefined; gid: number | undefined },
  path: string,
  dataDir: string,
): string | undefined {
  if (st.isSymbolicLink()) {
    return `is a symbolic link: Scalehouse never follows links inside DATA_DIR. Replace it with a folder (rm ${path}; Scalehouse makes it again), or point DATA_DIR itself at the disk you want`;
  }
  if (!st.isDirectory()) return 'is not a folder: move it away, or set DATA_DIR to a folder';
  if (user.uid !== undefined && st.uid !== user.uid) {
    return (
      `belongs to user ${st.uid}, not to the user running Scalehouse (${user.uid}): ${risk}. ` +
      `Run Scalehouse as its owner, or give DATA_DIR to this user: chown -R ${user.uid}:${user.gid} ${dataDir} && chmod 700 ${dataDir}`
    );
  }
  // S_IWGRP, S_IWOTH (inode(7)); a sticky bit (/tmp) does not help: others can still make new entries.
  const writers = [st.mode & 0o020 ? 'its group' : '', st.mode & 0o002 ? 'others' : ''].filter(Boolean).join(' and ');
  if (writers) {
    return `can be written by ${writers} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}): ${risk}. Make it the owner's alone: chmod 700 ${path}`;
  }
  return undefined;
}
