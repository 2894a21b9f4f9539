/**
 * Temporary folders for tests, each removed once its test file is done —
 * data folders of the embedded engine and of killed `scalehouse start`
 * children are tens of megabytes, and runs left ~50 of them in /tmp.
 *
 * The hook is registered when a test file first imports this module (vitest
 * evaluates every test file's modules afresh), on the file's own suite, so it
 * runs after every test and hook of that file, pass or fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
const releases: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const release of releases) await release();
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

/** A new empty folder `$TMPDIR/scalehouse-<name>-XXXXXX`, removed after the test file. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `scalehouse-${name}-`));
  made.push(dir);
  return dir;
}

/** Lets go of what may still use the folders (an engine's handles) before they are removed. */
export function beforeTempDirsRemoved(release: () => Promise<void>): void {
  releases.push(release);
}
