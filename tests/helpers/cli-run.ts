/**
 * `scalehouse replay` and `scalehouse tail` as real child processes on a
 * DATA_DIR no other process holds (the embedded engine binds one), for tests
 * that load files through them.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor, within } from './wait-for.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
const envOf = (dataDir: string, level: string) => ({
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: level,
  KAFKA_BROKERS: '',
  CLICKHOUSE_URL: '',
});

/** Runs `scalehouse replay FILE --site SITE` to its end; returns its summary line. */
export async function runReplay(dataDir: string, file: string, site: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'replay', file, '--site', site], { env: envOf(dataDir, 'warn') });
  return stdout.trim();
}

/** Runs `scalehouse tail FILE --site SITE` until its saved position is the file's end, then stops it with SIGTERM (it must exit 0). */
export async function runTailToEnd(dataDir: string, file: string, site: string): Promise<void> {
  let out = '';
  const child = spawn(process.execPath, [BIN, 'tail', file, '--site', site], {
    env: envOf(dataDir, 'info'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Following: its signal handlers are in place (a SIGTERM before that is Node's default: death by signal).
  const following = new Promise<true>((r) =>
    child.stderr!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('following ')) r(true);
    }),
  );
  const statePos = () => tailStatePos(dataDir);
  try {
    await within(`scalehouse tail to start following (${out})`, following, 60_000);
    await waitFor('the tail to reach the end of the file', async () => (statePos() === statSync(file).size ? true : undefined), 60_000);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await within('scalehouse tail to exit after SIGTERM', exited);
  if (code !== 0) throw new Error(`scalehouse tail exited with ${code}: ${out}`);
}

/** Where `scalehouse tail` of DATA_DIR has got in its file, by its state file (0 before it wrote one). */
export function tailStatePos(dataDir: string): number {
  const files = (() => {
    try {
      return readdirSync(join(dataDir, 'tail')).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
  })();
  return files.length ? (JSON.parse(readFileSync(join(dataDir, 'tail', files[0]!), 'utf8')) as { pos: number }).pos : 0;
}
