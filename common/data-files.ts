/**
 * How every file under DATA_DIR is opened, so that a link planted there is
 * never followed: whoever can write to DATA_DIR could otherwise point a state
 * file or a bus segment at any file the process may write (as root: any file
 * at all) and have Scalehouse overwrite, append to or truncate it.
 *
 * - New content goes to a temporary file no one can have made in advance
 *   (pid and random bytes in its name, and O_CREAT | O_EXCL | O_NOFOLLOW,
 *   which fail on anything already there, link or not: open(2)), then is
 *   renamed over the file: rename(2) replaces a link at the destination
 *   itself, never what it points to.
 * - Existing files are opened with O_NOFOLLOW and used only if they are a
 *   plain file of this process's user with no other name (a hard link to a
 *   file elsewhere would be written through just like a symbolic one).
 *
 * O_NOFOLLOW covers the last part of a path only: the folders above it are
 * checked at start-up (data-dir.ts).
 */
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { UnsafePathError } from './errors.ts';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW, O_DIRECTORY, O_DSYNC } = constants;

const FLAGS = {
  read: O_RDONLY | O_NOFOLLOW,
  /** Read, and cut back (a bus segment's torn tail). */
  update: O_RDWR | O_NOFOLLOW,
  /** Made if missing; every write goes to the end (O_APPEND). */
  append: O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW,
  /**
   * The same, each write returning only once its bytes are on disk as fdatasync(2) would leave them
   * (O_DSYNC, open(2): synchronized I/O data integrity completion): one call where write and
   * fdatasync were two, each a trip to libuv's thread pool and back (a bus segment's group commit).
   */
  'append-synced': O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_DSYNC,
};

const keepOut =
  'Scalehouse never follows links under DATA_DIR: one there may have been planted to make it write to another file. ' +
  'Remove it, and let only the user running Scalehouse write to DATA_DIR (chown, chmod 700).';

/** Opens a file under DATA_DIR without following a link in its place; refuses anything but a plain file of ours. */
export async function openDataFile(path: string, how: keyof typeof FLAGS): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, FLAGS[how], 0o600);
  } catch (err) {
    // O_NOFOLLOW on a link: ELOOP on Linux and macOS, EMLINK on FreeBSD (open(2)).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw new UnsafePathError(`${path} is a symbolic link. ${keepOut}`, { cause: err });
    throw err;
  }
  const problem = fileProblem(await fh.stat(), process.geteuid?.());
  if (problem) {
    await fh.close();
    throw new UnsafePathError(`${path} ${problem}. ${keepOut}`);
  }
  return fh;
}

/** Why an opened file must not be used, or undefined. */
export function fileProblem(
  st: { isFile(): boolean; isDirectory(): boolean; uid: number; nlink: number },
  euid: number | undefined,
): string | undefined {
  // A folder in the way fails by itself (EISDIR on read, and on open for writing).
  if (!st.isFile() && !st.isDirectory()) return 'is not a plain file';
  if (euid !== undefined && st.uid !== euid) return `belongs to user ${st.uid}, not to the user running Scalehouse (${euid})`;
  if (st.isFile() && st.nlink > 1) return `has ${st.nlink} names (hard links)`;
  return undefined;
}

/** The file's text; a link in its place is refused (above). Errors, ENOENT included, are the caller's. */
export async function readDataFile(path: string): Promise<string> {
  const fh = await openDataFile(path, 'read');
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * Replaces the file so that a crash leaves either the old or the new content,
 * never half of each: a temporary file, fsync, rename over the old one
 * (atomic on POSIX), then fsync the folder so the rename itself survives a
 * power loss. The file is owner-only (0600) whatever the umask.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  // Unique per write: two writers never share one, and no one can plant it beforehand.
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dir = await open(dirname(path), O_RDONLY | O_DIRECTORY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
