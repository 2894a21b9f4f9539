/**
 * Every test run gets one temporary folder, and every temp folder a test
 * makes (os.tmpdir() reads TMPDIR; test workers and the processes they spawn
 * inherit it) lands inside it, so the run cleans up after itself — engine
 * data folders, buses, nginx prefixes — even when a test fails half-way.
 * A run killed before its teardown (a timeout, Ctrl-C twice) cannot: its
 * folder names the run's process, and the next run removes it once that
 * process is gone.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'scalehouse-tests-';
const OWNER = 'run.pid';

/** Whether process `pid` still runs (signal 0 checks without sending; EPERM: it runs as another user). */
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The folders of earlier runs whose process is gone (a folder without its owner file is not touched). */
function removeAbandoned(base: string): void {
  for (const name of readdirSync(base).filter((n) => n.startsWith(PREFIX))) {
    let pid: number;
    try {
      pid = Number(readFileSync(join(base, name, OWNER), 'utf8'));
    } catch {
      continue;
    }
    if (Number.isInteger(pid) && pid > 0 && !running(pid)) rmSync(join(base, name), { recursive: true, force: true });
  }
}

export default function setup(): () => void {
  const base = tmpdir();
  removeAbandoned(base);
  const root = mkdtempSync(join(base, PREFIX));
  writeFileSync(join(root, OWNER), String(process.pid));
  // Traversable by others, as /tmp is: the nginx tests run nginx as nobody in a folder below.
  chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
