/**
 * `scalehouse start` as a log shipper sees it (LOG_FORMAT=json, stderr a
 * pipe): every line it writes is one JSON object naming its role, the
 * processor thread's lines say so, and neither the client's address nor a
 * configured secret appears, even at debug.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drainAndStop, freePort, startApp } from '../helpers/app-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const CLIENT = '203.0.113.77';
const SECRETS = {
  INGEST_TOKEN: 'log-test-ingest-token',
  DASHBOARD_PASSWORD: 'log test dashboard password',
  SESSION_SECRET: 'log-test-session-secret-of-32-characters',
};

type Line = { time: string; level: string; msg: string; role?: string; thread?: string; pid: number; [k: string]: unknown };

const dataDir = mkdtempSync(join(tmpdir(), 'scalehouse-logs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('logs of scalehouse start', () => {
  it('are JSON lines with the role, the processor thread marked, and no address or secret', async () => {
    const app = await startApp(
      {
        DATA_DIR: dataDir,
        SITES: 'example.com',
        TRUSTED_PROXIES: '127.0.0.1',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        ...SECRETS,
      },
      await freePort(),
    );
    const lines = () =>
      app
        .output()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);

    const res = await fetch(`${app.url}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': UA, 'x-forwarded-for': CLIENT },
      body: JSON.stringify({ site: 'example.com', url: 'https://example.com/logged' }),
    });
    expect(res.status).toBe(202);
    // The processor thread's lines reach stderr through the main thread: wait for one before stopping.
    const loaded = await waitFor('the processor thread to log a loaded batch', async () => lines().find((l) => l.msg === 'batch loaded'));
    await drainAndStop(app);

    expect(loaded).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'debug',
      msg: 'batch loaded',
      role: 'start',
      thread: 'processor',
      pid: app.child.pid,
      batch: expect.any(String),
      records: 1,
      events: 1,
    });
    const all = lines();
    expect(all.filter((l) => l.role !== 'start' || l.pid !== app.child.pid)).toEqual([]);
    expect(all.find((l) => l.msg === 'starting Scalehouse')).toMatchObject({ level: 'info', bus: 'local', clickhouse: 'embedded' });
    expect(all.find((l) => l.msg === 'starting Scalehouse')).not.toHaveProperty('thread');
    expect(all.find((l) => l.msg.startsWith('SIGTERM: stopping'))).toMatchObject({ level: 'info', accepted: 1 });
    for (const secret of [CLIENT, ...Object.values(SECRETS)]) expect(app.output()).not.toContain(secret);
  });
});
