/**
 * Secrets and ids kept in DATA_DIR are made once and then only ever read: a
 * file that exists but cannot be read (here a directory in its place, which
 * even root cannot read as a file) stops start-up with a clear error, and is
 * never replaced — a new bus id would change every deduplication token, a new
 * key would log everyone out, a new token would lock shippers out.
 */
import { describe, expect, it, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { resolveIngestToken } from '../../collector/ingest-token.ts';
import { resolveDashboardPassword } from '../../dashboard/auth/password.ts';
import { sessionKey } from '../../dashboard/auth/session.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { freePort } from '../helpers/app-process.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'scalehouse-state-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const cases = [
  { file: 'bus/bus-id', what: 'the local bus id', open: (dir: string) => LocalBus.open({ dir: join(dir, 'bus') }).then((b) => b.close()) },
  { file: 'ingest-token', what: 'the ingest token', open: (dir: string) => resolveIngestToken('', dir) },
  { file: 'session-key', what: 'the dashboard session key', open: (dir: string) => sessionKey('', dir) },
  { file: 'dashboard-password', what: 'the dashboard password hash', open: (dir: string) => resolveDashboardPassword('', dir) },
];

describe('state files in DATA_DIR', () => {
  it.each(cases)('$file: made once, then read back unchanged', async ({ file, open }) => {
    const dir = fresh();
    mkdirSync(join(dir, 'bus'));
    await open(dir);
    const first = readFileSync(join(dir, file), 'utf8');
    expect(first.trim()).not.toBe('');
    expect(statSync(join(dir, file)).mode & 0o077, 'owner-only').toBe(0);
    await open(dir);
    expect(readFileSync(join(dir, file), 'utf8')).toBe(first);
  });

  it.each(cases)('$file: unreadable (not missing) stops with a clear error and is not replaced', async ({ file, what, open }) => {
    const dir = fresh();
    mkdirSync(join(dir, file), { recursive: true }); // a directory where the file should be: EISDIR on read
    const err = await open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScalehouseError);
    expect((err as Error).message).toContain(`cannot read ${what} in ${join(dir, file)}: EISDIR`);
    expect((err as Error).message).toMatch(/not replaced/);
    expect(statSync(join(dir, file)).isDirectory()).toBe(true);
  });

  it('`scalehouse start` refuses to start on an unreadable bus id, saying which file and why', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'bus', 'bus-id'), { recursive: true });
    const bin = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'start'], {
      env: {
        ...process.env,
        DATA_DIR: dir,
        KAFKA_BROKERS: '',
        SYSLOG_PORT: String(await freePort()),
        PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(`scalehouse start: cannot read the local bus id in ${join(dir, 'bus', 'bus-id')}: EISDIR`);
    expect(statSync(join(dir, 'bus', 'bus-id')).isDirectory()).toBe(true);
  });
});
