/**
 * Exactly once while the drain overlaps loading (bus/pipeline.ts), with the real batch handler and
 * the embedded engine, on a log built from the real test logs (bench/build-log.ts):
 *  - `scalehouse start` (local bus) killed with SIGKILL while its checkpoint holds two ranges in
 *    flight — one loading, the next prepared — and started again: every line counted once;
 *  - a load of batch N failing while N+1 is prepared (once after its rows landed, once before any
 *    did): N+1 is discarded, never loaded before N, and loaded once after it;
 * and either way the figures equal a replay of the same log.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusBatch, TwoPhaseHandler } from '../../bus/bus.ts';
import { LocalBus } from '../../bus/local/local-bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { logHit } from '../../common/hit.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { buildLog } from '../../bench/build-log.ts';
import { dataDirClickHouse, freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { drainAndStop, freePort, startApp } from '../helpers/app-process.ts';
import { nameOf } from '../helpers/two-phase-double.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const SESSION_TIMEOUT_MS = 30 * 60_000;

/** The figures a replay and a drain of the same lines must agree on. */
const figures = async (ch: ClickHouse) => ({
  outcomes: await rows(
    ch,
    'SELECT outcome, reason, sum(count) AS n FROM pipeline_stats GROUP BY outcome, reason HAVING n > 0 ORDER BY outcome, reason',
  ),
  events: await rows(ch, 'SELECT count() AS n, uniqExact(session_id) AS sessions FROM events'),
  visits: await rows(ch, 'SELECT count() AS visits, sum(hits) AS hits, sum(duration_s) AS seconds FROM sessions FINAL'),
  bots: await rows(ch, 'SELECT sum(hits) AS hits FROM bots_minute'),
});

const countedLines = async (ch: ClickHouse) => Number((await rows<{ n: number }>(ch, 'SELECT sum(count) AS n FROM pipeline_stats'))[0]!.n);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const clf = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

/**
 * bench/build-log.ts's log (30 days, in time order) squeezed into the last 30 hours, order kept: days
 * older than the kept salts' get a salt held in the process's memory only (processor/state/salt-store.ts),
 * so a restart would hash their visitors anew — by design — and split their visits, which a replay in
 * one run does not. Within the kept days, a restart changes no visitor.
 */
async function recentLog(dir: string, lines: number): Promise<{ file: string; lines: number }> {
  const file = join(dir, 'access.log');
  const built = join(dir, 'built.log');
  await buildLog(built, lines);
  const text = readFileSync(built, 'utf8').trimEnd().split('\n');
  const times = text.map((l) => Date.parse(l.replace(/^.*?\[(\d+)\/(\w+)\/(\d+):(\d+:\d+:\d+) \+0000\].*$/, '$2 $1 $3 $4 UTC')));
  const [first, last] = [times[0]!, times.at(-1)!];
  const end = Date.now() - 3_600_000;
  const squeezed = (t: number) => end - Math.round(((last - t) * 29 * 3_600_000) / Math.max(1, last - first));
  writeFileSync(file, `${text.map((l, i) => l.replace(/\[[^\]]+ \+0000\]/, `[${clf(squeezed(times[i]!))}]`)).join('\n')}\n`);
  return { file, lines: text.length };
}

async function replayed(file: string) {
  const ref = await freshClickHouse();
  await replayFile(ref, file, { site: 'example.com', salts: new SaltStore(ref), sessionTimeoutMs: SESSION_TIMEOUT_MS });
  return figures(ref);
}

describe('exactly once with the drain overlapping loading', () => {
  it('scalehouse start killed with two ranges in flight counts every line once, as a replay does', async () => {
    const dir = tempDir('overlap-kill');
    const { file, lines } = await recentLog(dir, 12_000);
    const dataDir = join(dir, 'data');
    const port = await freePort();
    const env = { DATA_DIR: dataDir, SITES: 'example.com', BATCH_MAX_HITS: '500', RAW_RETENTION_DAYS: '0' };
    const inflight = () => {
      try {
        return (JSON.parse(readFileSync(join(dataDir, 'bus', 'consumer.json'), 'utf8')) as { inflight: unknown[] }).inflight;
      } catch {
        return [];
      }
    };
    let app = await startApp(env, port);
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    for (let i = 0; i < text.length; i += 4000) {
      const res = await fetch(`${app.url}/api/logs?site=example.com`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: 'Bearer test-ingest-token' },
        body: `${text.slice(i, i + 4000).join('\n')}\n`,
      });
      expect(res.status).toBe(202);
    }
    await waitFor('two ranges in flight', async () => (inflight().length === 2 ? true : undefined), 60_000);
    app.child.kill('SIGKILL');
    await within('scalehouse start to die', app.exited);
    // What the restart finds: one range loading, the next prepared on top of it.
    expect(inflight()).toHaveLength(2);

    app = await startApp(env, port);
    await drainAndStop(app);
    // The engine opens one data folder per process: the drain's figures first, then the replay's.
    const ch = await dataDirClickHouse(dataDir);
    let live: Awaited<ReturnType<typeof figures>>;
    try {
      expect(await countedLines(ch)).toBe(lines);
      live = await figures(ch);
    } finally {
      await ch.close();
    }
    expect(live).toEqual(await replayed(file));
  });

  it('discards N+1 when N fails to load (after its rows landed, or before), and counts every line once, as a replay does', async () => {
    const dir = tempDir('overlap-fail');
    const file = join(dir, 'access.log');
    const lines = await buildLog(file, 8_000);
    const ch = await freshClickHouse();
    const bus = await LocalBus.open({ dir: join(dir, 'bus') });
    const receivedAt = Date.now();
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    await bus.publish(text.map((line) => logHit('example.com', line, { receivedAt })));

    const events: string[] = [];
    // Batch 2000-3000's first load lands its rows, then fails (its dead letters refused); 5000-6000's fails before any land.
    const failAfter = new Set(['2000-3000']);
    const failBefore = new Set(['5000-6000']);
    const { prepare } = createBatchHandler({
      ch,
      salts: new SaltStore(ch),
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      deadLetter: async (_items, batch: BusBatch) => {
        if (failAfter.delete(nameOf(batch))) throw new Error('dead letters refused (test)');
      },
    });
    const handler: TwoPhaseHandler = {
      prepare: async (batch) => {
        const name = nameOf(batch);
        const prepared = await prepare(batch);
        events.push(`prepare ${name}`);
        return {
          load: async () => {
            events.push(`load ${name}`);
            if (failBefore.delete(name)) throw new Error('the engine is away (test)');
            await prepared.load();
            events.push(`loaded ${name}`);
          },
          discard: async () => {
            events.push(`discard ${name}`);
            await prepared.discard();
          },
        };
      },
    };
    await bus.consume(handler, { maxRecords: 1000 });
    await waitFor('every batch loaded', async () => (events.includes('loaded 7000-8000') ? true : undefined), 90_000);
    await bus.close();

    for (const [failed, next] of [
      ['2000-3000', '3000-4000'],
      ['5000-6000', '6000-7000'],
    ] as const) {
      // N+1 was prepared while N loaded, discarded when N failed, and loaded only once N had.
      expect(events.indexOf(`prepare ${next}`)).toBeLessThan(events.indexOf(`discard ${next}`));
      expect(events.indexOf(`discard ${next}`)).toBeLessThan(events.indexOf(`loaded ${failed}`));
      expect(events.indexOf(`loaded ${failed}`)).toBeLessThan(events.indexOf(`load ${next}`));
      expect(events.filter((e) => e === `load ${next}`)).toHaveLength(1);
    }
    const loaded = events.filter((e) => e.startsWith('loaded ')).map((e) => e.slice('loaded '.length));
    expect(loaded).toEqual(Array.from({ length: 8 }, (_, i) => `${i * 1000}-${(i + 1) * 1000}`));
    expect(await countedLines(ch)).toBe(lines);
    expect(await figures(ch)).toEqual(await replayed(file));
  });
});
