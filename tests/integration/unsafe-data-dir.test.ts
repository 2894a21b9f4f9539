/**
 * A DATA_DIR someone else could make entries in — another owner, or a mode
 * that lets group or others write — is refused at start-up, by every command
 * that keeps files there, with what to run to fix it; so is such a folder
 * Scalehouse made inside it, and a link in place of one. Whoever could make
 * entries there could plant links that turn Scalehouse's writes onto other
 * files (planted-links.test.ts shows those are refused one by one).
 *
 * Handing a folder to another user takes root: those cases are skipped, saying
 * so, when the tests run as anyone else (CI runs them as root).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/app-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { within } from '../helpers/wait-for.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const RISK = 'whoever can write there can plant links that make Scalehouse overwrite other files';

/**
 * Runs `scalehouse ARGS` on `dataDir` until it exits — or, for a server, until it answers /healthz,
 * which means it started where it should have refused (then it is stopped).
 */
async function run(args: string[], dataDir: string): Promise<{ status: number | null; stderr: string; started: boolean }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      KAFKA_BROKERS: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      SYSLOG_PORT: '0',
      LOG_LEVEL: 'warn',
      DASHBOARD_PASSWORD: 'a long enough password',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let started = false;
  const healthy = (async () => {
    while (child.exitCode === null) {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  })();
  try {
    started = await within(`scalehouse ${args[0]} to exit or start`, Promise.race([healthy, exited.then(() => false)]), 90_000);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  return { status: await within(`scalehouse ${args[0]} to exit`, exited), stderr, started };
}

function refused(result: { status: number | null; stderr: string; started: boolean }, command: string, message: string): void {
  expect(result.started, 'it started').toBe(false);
  expect(result.stderr).toBe(`scalehouse ${command}: ${message}\n`);
  expect(result.status).toBe(1);
}

describe('an unsafe DATA_DIR', () => {
  it.skipIf(!isRoot)('owned by another user: `scalehouse start` refuses it, saying how to hand it over (needs root to chown)', async () => {
    const dir = tempDir('unsafe');
    chownSync(dir, NOBODY, NOBODY);
    refused(
      await run(['start'], dir),
      'start',
      `DATA_DIR ${dir} belongs to user ${NOBODY}, not to the user running Scalehouse (0): ${RISK}. ` +
        `Run Scalehouse as its owner, or give DATA_DIR to this user: chown -R 0:${process.getegid!()} ${dir} && chmod 700 ${dir}`,
    );
    expect(readdirSync(dir), 'nothing made in it').toEqual([]);
  });

  it.each([
    { command: 'start', args: ['start'] },
    { command: 'migrate', args: ['migrate'] },
    { command: 'replay', args: ['replay', 'LOG', '--site', 'a.example'] },
  ])('writable by group and others (0777): `scalehouse $command` refuses it, saying to chmod 700', async ({ command, args }) => {
    const dir = tempDir('unsafe');
    const log = join(tempDir('unsafe-log'), 'access.log');
    writeFileSync(log, '127.0.0.1 - - [07/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"\n');
    chmodSync(dir, 0o777);
    refused(
      await run(
        args.map((a) => (a === 'LOG' ? log : a)),
        dir,
      ),
      command,
      `DATA_DIR ${dir} can be written by its group and others (mode 0777): ${RISK}. Make it the owner's alone: chmod 700 ${dir}`,
    );
    expect(readdirSync(dir), 'nothing made in it').toEqual([]);
  });

  it('writable by its group only (0770): refused too', async () => {
    const dir = tempDir('unsafe');
    chmodSync(dir, 0o770);
    refused(
      await run(['start'], dir),
      'start',
      `DATA_DIR ${dir} can be written by its group (mode 0770): ${RISK}. Make it the owner's alone: chmod 700 ${dir}`,
    );
  });

  it.skipIf(!isRoot)('its bus folder owned by another user: refused (needs root to chown)', async () => {
    const dir = tempDir('unsafe');
    mkdirSync(join(dir, 'bus'), { mode: 0o700 });
    chownSync(join(dir, 'bus'), NOBODY, NOBODY);
    refused(
      await run(['start'], dir),
      'start',
      `DATA_DIR's folder bus ${join(dir, 'bus')} belongs to user ${NOBODY}, not to the user running Scalehouse (0): ${RISK}. ` +
        `Run Scalehouse as its owner, or give DATA_DIR to this user: chown -R 0:${process.getegid!()} ${dir} && chmod 700 ${dir}`,
    );
  });

  it('its engine folder a link to a folder elsewhere: refused, not followed', async () => {
    const dir = tempDir('unsafe');
    const elsewhere = tempDir('elsewhere');
    symlinkSync(elsewhere, join(dir, 'clickhouse'));
    refused(
      await run(['start'], dir),
      'start',
      `DATA_DIR's folder clickhouse ${join(dir, 'clickhouse')} is a symbolic link: Scalehouse never follows links inside DATA_DIR. ` +
        `Replace it with a folder (rm ${join(dir, 'clickhouse')}; Scalehouse makes it again), or point DATA_DIR itself at the disk you want`,
    );
    expect(readdirSync(elsewhere), 'nothing made where the link leads').toEqual([]);
  });
});
