/**
 * The small files Scalehouse keeps in DATA_DIR: positions and checkpoints
 * (JSON, replaced atomically) and secrets or ids made on first start (ingest
 * token, dashboard password hash, session key, local bus id).
 *
 * Only "not found" means missing. Any other read error (permissions, a
 * directory in the way, I/O) stops start-up with a clear message: quietly
 * making a new file would change every deduplication token (bus id), log
 * everyone out (session key) or lock shippers out (ingest token). None of
 * them is read or written through a link (data-files.ts).
 */
import { ScalehouseError, UnsafePathError, errorMessage } from './errors.ts';
import { readDataFile, writeFileAtomic } from './data-files.ts';

/** The parsed JSON, or undefined when the file does not exist; any other error is thrown. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readDataFile(path)) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface StateFile {
  path: string;
  /** What it is, for the error message: "the ingest token". */
  what: string;
  /** Why it is not simply replaced when unreadable: "shippers would be locked out". */
  whyKept: string;
}

/** The file's text, trimmed; undefined when it does not exist or is empty. Other read errors stop with a clear message. */
export async function readStateFile(file: StateFile): Promise<string | undefined> {
  let text: string;
  try {
    text = await readDataFile(file.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A planted link (data-files.ts) says itself what to do; reading it as the file would be the attack.
    if (err instanceof UnsafePathError) throw err;
    throw new ScalehouseError(
      `cannot read ${file.what} in ${file.path}: ${errorMessage(err)}. ` +
        `Make it readable by the user running Scalehouse; it is not replaced with a new one, since ${file.whyKept}.`,
      { cause: err },
    );
  }
  return text.trim() || undefined;
}

/** Reads the file, or makes its content and writes it (owner-only) when it does not exist yet. */
export async function readOrCreateStateFile(
  file: StateFile,
  make: () => string | Promise<string>,
): Promise<{ value: string; created: boolean }> {
  const saved = await readStateFile(file);
  if (saved !== undefined) return { value: saved, created: false };
  const value = await make();
  // Written as a new file renamed into place: a link planted here is replaced, never written through.
  await writeFileAtomic(file.path, value + '\n');
  return { value, created: true };
}
