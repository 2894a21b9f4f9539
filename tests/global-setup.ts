/**
 * Every test run gets one temporary folder, and every temp folder a test
 * makes (os.tmpdir() reads TMPDIR; test workers and the processes they spawn
 * inherit it) lands inside it, so the run cleans up after itself — engine
 * data folders, buses, nginx prefixes — even when a test fails half-way.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'scalehouse-tests-'));
  // Traversable by others, as /tmp is: the nginx tests run nginx as nobody in a folder below.
  chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
