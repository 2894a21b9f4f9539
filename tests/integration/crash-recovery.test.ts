/**
 * Nothing acknowledged is ever lost: `scalehouse start` is killed with SIGKILL
 * while hits pour in, and again right after a 2xx; after restarts, every hit
 * that got a 2xx is in ClickHouse exactly once (and nothing is there twice).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirClickHouse, LANDED_HITS } from '../helpers/clickhouse.ts';
import { clfTime, TODAY } from '../helpers/hits.ts';
import { drainAndStop, freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const TOKEN = 'crash-test-token';

const beacon = (app: AppProcess, path: string) =>
  fetch(`${app.url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': UA },
    body: JSON.stringify({ site: 'example.com', url: `https://example.com${path}` }),
  });

const logLine = (path: string, i: number) =>
  `10.1.${(i >> 8) & 255}.${i & 255} - - [${clfTime(TODAY + 10 * 3_600_000 + (i % 60) * 1000)}] "GET ${path} HTTP/1.1" 200 512 "-" "${UA}"`;

const logBatch = (app: AppProcess, paths: string[], offset: number) =>
  fetch(`${app.url}/api/logs?site=example.com`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
    body: paths.map((p, i) => logLine(p, offset + i)).join('\n') + '\n',
  });

describe('crash safety of scalehouse start', () => {
  it('keeps every acknowledged hit, exactly once, across SIGKILLs', async () => {
    const dataDir = tempDir('crash');
    const port = await freePort();
    // Small batches so the processor is mid-way through many of them when killed.
    const env = { DATA_DIR: dataDir, INGEST_TOKEN: TOKEN, SITES: 'example.com', BATCH_MAX_HITS: '25', RAW_RETENTION_DAYS: '0' };
    const acked = new Set<string>();
    const sent = new Set<string>();

    // 1. Load from many concurrent senders; SIGKILL once 300 requests were acknowledged.
    let app = await startApp(env, port);
    let killed = false;
    const senders = Array.from({ length: 8 }, async (_, s) => {
      for (let i = 0; !killed; i++) {
        const paths = i % 2 === 0 ? [`/b/${s}/${i}`] : Array.from({ length: 10 }, (_, j) => `/l/${s}/${i}/${j}`);
        paths.forEach((p) => sent.add(p));
        const res = await (paths.length === 1 ? beacon(app, paths[0]!) : logBatch(app, paths, s * 1000 + i)).catch(() => undefined);
        if (res?.status === 202) paths.forEach((p) => acked.add(p));
        if (acked.size >= 300 * 5 && !killed) {
          killed = true;
          app.child.kill('SIGKILL');
        }
      }
    });
    await Promise.all(senders);
    await within('scalehouse start to die', app.exited);
    expect(acked.size).toBeGreaterThanOrEqual(1500);

    // 2. Restart, then kill again immediately after one beacon and one batch are acknowledged.
    app = await startApp(env, port);
    const last = ['/last/beacon', ...Array.from({ length: 20 }, (_, j) => `/last/log/${j}`)];
    last.forEach((p) => sent.add(p));
    const [r1, r2] = await Promise.all([beacon(app, last[0]!), logBatch(app, last.slice(1), 50_000)]);
    app.child.kill('SIGKILL');
    expect([r1.status, r2.status]).toEqual([202, 202]);
    last.forEach((p) => acked.add(p));
    await within('scalehouse start to die', app.exited);

    // 3. Restart, let it catch up, stop it cleanly, and count.
    app = await startApp(env, port);
    await drainAndStop(app);

    const ch = await dataDirClickHouse(dataDir);
    const rs = await clientOf(ch).query({ query: `SELECT path, count() AS n FROM ${LANDED_HITS} GROUP BY path`, format: 'JSONEachRow' });
    const counts = new Map((await rs.json<{ path: string; n: number }>()).map((r) => [r.path, Number(r.n)]));
    const missing = [...acked].filter((p) => counts.get(p) !== 1);
    expect(missing).toEqual([]);
    const doubled = [...counts].filter(([, n]) => n !== 1);
    expect(doubled).toEqual([]);
    // Nothing appears that was never sent; unacknowledged hits may or may not have made it.
    expect([...counts.keys()].filter((p) => !sent.has(p))).toEqual([]);
    const [traffic] = await (
      await clientOf(ch).query({ query: 'SELECT sum(hits) + sum(bot_hits) AS hits FROM traffic_minute', format: 'JSONEachRow' })
    ).json<{ hits: number }>();
    expect(Number(traffic!.hits)).toBe(counts.size);
    await ch.close();
  });
});

describe('npm start', () => {
  // The first `npm start` of a checkout compiles it (prestart: scripts/build.mjs --if-stale), which takes
  // from seconds to a minute on a busy machine: no time limit is the point here, only that it comes up.
  it('builds if need be and serves health on a fresh data folder, with nothing else configured', async () => {
    const { spawn } = await import('node:child_process');
    const port = await freePort();
    const dataDir = tempDir('start');
    // detached: npm runs node as a child; the whole group is stopped at the end.
    const child = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, KAFKA_BROKERS: '', SYSLOG_PORT: '0', PORT: String(port), DATA_DIR: dataDir },
      detached: true,
      stdio: 'ignore',
    });
    try {
      const health = await waitFor(
        'GET /healthz after npm start',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
          return res?.ok ? res.json() : undefined;
        },
        200_000,
      );
      expect(health).toEqual({ status: 'ok' });
      // Anyone sees the status; its problems and counters only with a token (here the generated ingest token).
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({ status: 'ready' });
      const token = readFileSync(join(dataDir, 'ingest-token'), 'utf8').trim();
      const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(ready).toMatchObject({ status: 'ready', problems: [], bus: { lag: 0 }, accepted: 0 });
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  }, 240_000);
});
