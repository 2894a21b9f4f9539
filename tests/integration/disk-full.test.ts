/**
 * `scalehouse start` on a disk that fills up, as an operator would see it:
 * the bus folder alone on a small tmpfs, then the whole DATA_DIR (ClickHouse
 * included). Unique beacons are posted until intake refuses; refusals are
 * 503/507 (never 2xx), /readyz says why meanwhile; space is freed, the
 * process is killed and restarted, and every acknowledged hit is in
 * ClickHouse exactly once.
 */
import { describe, expect, it, afterAll } from 'vitest';
import { join } from 'node:path';
import { dataDirClickHouse, LANDED_HITS } from '../helpers/clickhouse.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { drainAndStop, freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { canMount, mountTmpfs, type SmallDisk } from '../helpers/tmpfs.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const disks: SmallDisk[] = [];
afterAll(() => disks.forEach((d) => d.unmount()));

const beacon = (app: AppProcess, path: string) =>
  fetch(`${app.url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'user-agent': UA },
    body: JSON.stringify({ site: 'example.com', url: `https://example.com${path}`, pad: 'x'.repeat(300) }),
  });

interface Tally {
  acked: Set<string>;
  refused: Set<string>;
  statuses: Map<number, number>;
}
type Readiness = { status: number; body: { problems: string[] } };

/**
 * Posts unique beacons from 8 senders until `refusals` were refused, and reads /readyz right after each
 * refusal: what an operator sees while intake refuses. (Read once afterwards, it may rightly say ready:
 * the processor, on its own thread, may have trimmed a segment and the bus taken hits again.)
 */
async function postUntilRefused(app: AppProcess, tally: Tally, prefix: string, refusals = 20): Promise<Readiness[]> {
  let refusedHere = 0;
  const seen: Readiness[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async (_, s) => {
      for (let i = 0; refusedHere < refusals && i < 20_000; i++) {
        const path = `/${prefix}/${s}/${i}`;
        const res = await beacon(app, path);
        tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
        if (res.status === 202) tally.acked.add(path);
        else {
          tally.refused.add(path);
          refusedHere++;
          seen.push(await readyz(app));
        }
      }
    }),
  );
  return seen;
}

const readyz = (app: AppProcess): Promise<Readiness> => app.readyz();

async function countsIn(dataDir: string): Promise<Map<string, number>> {
  const ch = await dataDirClickHouse(dataDir);
  try {
    const rs = await clientOf(ch).query({ query: `SELECT path, count() AS n FROM ${LANDED_HITS} GROUP BY path`, format: 'JSONEachRow' });
    return new Map((await rs.json<{ path: string; n: string }>()).map((r) => [r.path, Number(r.n)]));
  } finally {
    await ch.close();
  }
}

function expectExactlyOnce(counts: Map<string, number>, tally: Tally): void {
  expect(
    [...tally.statuses.keys()].filter((s) => ![202, 503, 507].includes(s)),
    'statuses other than 202, 503, 507',
  ).toEqual([]);
  expect(
    [...tally.acked].filter((p) => counts.get(p) !== 1),
    'acknowledged hits not loaded exactly once',
  ).toEqual([]);
  expect(
    [...counts].filter(([, n]) => n !== 1),
    'hits loaded twice',
  ).toEqual([]);
  expect(
    [...tally.refused].filter((p) => counts.has(p)),
    'refused hits that were loaded anyway',
  ).toEqual([]);
}

describe.skipIf(!canMount)('a full disk under `scalehouse start` (real tmpfs)', () => {
  it('bus folder on a small disk: ENOSPC and then the reserve refuse intake, nothing acknowledged is lost', async () => {
    const dataDir = tempDir('full');
    const disk = mountTmpfs(4 * 1024 * 1024, join(dataDir, 'bus'));
    disks.push(disk);
    const port = await freePort();
    const env = { DATA_DIR: dataDir, SITES: 'example.com', DASHBOARD_PASSWORD: 'disk-full-test', BATCH_MAX_HITS: '50' };
    const tally: Tally = { acked: new Set(), refused: new Set(), statuses: new Map() };

    // 1. No reserve: the disk really fills, writes fail with ENOSPC → 503.
    let app = await startApp({ ...env, DISK_RESERVE_MB: '0' }, port);
    let free = disk.fill(200 * 1024);
    const during = await postUntilRefused(app, tally, 'enospc');
    expect(tally.statuses.get(503)).toBeGreaterThan(0);
    const notReady = during.filter((r) => r.status === 503);
    expect(notReady.length, 'refusals during which /readyz said not ready').toBeGreaterThan(0);
    expect(notReady.map((r) => r.body.problems.join()).filter((p) => !/refused hits|no space left on device/.test(p))).toEqual([]);
    free();
    await waitFor('intake to take hits again', async () => ((await beacon(app, '/enospc/after')).status === 202 ? true : undefined));
    tally.acked.add('/enospc/after');
    app.child.kill('SIGKILL');
    await within('scalehouse start to die', app.exited);

    // 2. With a reserve: refused with 507 before the disk is full.
    app = await startApp({ ...env, DISK_RESERVE_MB: '1' }, port);
    free = disk.fill(1200 * 1024);
    const short = await postUntilRefused(app, tally, 'reserve');
    expect(tally.statuses.get(507)).toBeGreaterThan(0);
    expect(short.filter((r) => /kept in reserve|refused hits/.test(r.body.problems.join())).length).toBeGreaterThan(0);
    free();
    await waitFor('intake to take hits again', async () => ((await beacon(app, '/reserve/after')).status === 202 ? true : undefined));
    tally.acked.add('/reserve/after');
    await drainAndStop(app);

    expectExactlyOnce(await countsIn(dataDir), tally);
  });

  it('whole DATA_DIR on a small disk: ClickHouse and the bus stop taking data, then resume, and the engine opens again after a kill', async () => {
    const dataDir = tempDir('full');
    const disk = mountTmpfs(64 * 1024 * 1024, join(dataDir, 'data'));
    disks.push(disk);
    const port = await freePort();
    const env = {
      DATA_DIR: disk.dir,
      SITES: 'example.com',
      DASHBOARD_PASSWORD: 'disk-full-test',
      BATCH_MAX_HITS: '50',
      DISK_RESERVE_MB: '0',
    };
    const tally: Tally = { acked: new Set(), refused: new Set(), statuses: new Map() };

    let app = await startApp(env, port);
    const free = disk.fill(256 * 1024);
    await postUntilRefused(app, tally, 'full', 40);
    expect((await readyz(app)).status).toBe(503);
    // ClickHouse cannot write either: the processor's inserts fail and are retried, and /readyz says so.
    const stuck = await waitFor(
      'the processor to report failing inserts',
      async () => {
        const problems = (await readyz(app)).body.problems.join('\n');
        return /cannot consume the bus: batch .* not loaded/.test(problems) ? problems : undefined;
      },
      30_000,
    );
    expect(stuck).toMatch(/not loaded/);
    free();
    await waitFor('intake to take hits again', async () => ((await beacon(app, '/full/after')).status === 202 ? true : undefined), 60_000);
    tally.acked.add('/full/after');
    app.child.kill('SIGKILL');
    await within('scalehouse start to die', app.exited);

    app = await startApp(env, port);
    await drainAndStop(app);
    expectExactlyOnce(await countsIn(disk.dir), tally);
  });
});
