/**
 * Visits, visitors, bounce, time on site and entry pages of the real access
 * logs, as the stats API gives them, against the same figures computed in the
 * test from the raw lines (tests/helpers/read-log.ts: sorted by time, with the
 * rules of docs/metrics.md). And the same sessions however the hits arrive:
 * as logged, shuffled within the reorder window, in one piece or in batches of
 * 100, and through processors that crash and restore their sessions from
 * ClickHouse mid-stream, redelivering the batch they were in.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { statsRoutes } from '../../dashboard/api/routes.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { DEFAULT_REORDER_MS } from '../../processor/batch/sessionize.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { logRecord } from '../helpers/hits.ts';
import { isHuman, readCombinedLog, sessionsOf, shuffleWithin, visitFigures, type LogLine } from '../helpers/read-log.ts';

const TIMEOUT = 30 * 60_000;
const HOUR = 3_600_000;
const tmp = mkdtempSync(join(tmpdir(), 'scalehouse-visits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const writeLines = (name: string, lines: LogLine[]) => {
  const file = join(tmp, name);
  writeFileSync(file, lines.map((l) => l.raw).join('\n') + '\n');
  return file;
};

/** What the stats API says of the whole log. */
async function apiFigures(ch: ClickHouse, lines: LogLine[]) {
  const app = new Hono().route('/', statsRoutes({ ch }));
  const times = lines.map((l) => l.ts);
  const range = `site=example.com&from=${Math.floor(Math.min(...times) / HOUR) * HOUR}&to=${Math.ceil((Math.max(...times) + 1) / HOUR) * HOUR}`;
  const get = async (name: string) => ((await (await app.request(`/api/stats/${name}?${range}&limit=1000`)).json()) as { data: any }).data;
  const overview = (await get('overview')).current;
  const entries = (await get('entry-pages')) as { value: string; visits: number }[];
  const nonPage = (await get('non-page-referrers')) as { sessions: number }[];
  expect(entries.length).toBeLessThan(1000);
  return {
    visits: overview.visits, visitors: overview.visitors, bounceRate: overview.bounce_rate, avgDurationS: overview.avg_duration_s,
    nonPageSessions: nonPage.reduce((n, r) => n + r.sessions, 0),
    entryPages: Object.fromEntries(entries.map((e) => [e.value, e.visits])),
  };
}

function expectFigures(actual: Awaited<ReturnType<typeof apiFigures>>, expected: ReturnType<typeof visitFigures>) {
  expect(actual.visits).toBe(expected.visits);
  expect(actual.visitors).toBe(expected.visitors);
  expect(actual.nonPageSessions).toBe(expected.nonPageSessions);
  expect(actual.bounceRate).toBeCloseTo(expected.bounceRate, 4);
  expect(actual.avgDurationS).toBeCloseTo(expected.avgDurationS, 1);
  expect(actual.entryPages).toEqual(expected.entryPages);
}

/** The sessions table, without what depends on salts (visitor and session ids) or on the bus (stream, offsets). */
const sessionsTable = (ch: ClickHouse) => rows(ch, `
  SELECT toString(start_ts) AS start, toString(end_ts) AS end, hits, pageviews, is_bounce, duration_s, entry_path, exit_path, channel, referrer_host, browser
  FROM sessions FINAL ORDER BY start, end, hits, entry_path, exit_path, browser`);

describe.each(LOG_FILES)('visits of %s', (name) => {
  const lines = readCombinedLog(fixture(`logs/${name}`));
  const expected = visitFigures(sessionsOf(lines, TIMEOUT));
  let ch: ClickHouse;
  beforeAll(async () => {
    ch = await freshClickHouse();
  });
  afterAll(async () => {
    await ch.close();
  });

  it('equal the figures computed from the raw lines sorted by time', async () => {
    expect(expected.visits).toBeGreaterThan(50);
    await replayFile(ch, fixture(`logs/${name}`), { site: 'example.com', salts: new SaltStore(ch), sessionTimeoutMs: TIMEOUT });
    // The humans of the test are the processor's: the rest of the comparison is about sessions.
    expect(await rows(ch, 'SELECT count() AS n FROM events')).toEqual([{ n: lines.filter(isHuman).length }]);
    expectFigures(await apiFigures(ch, lines), expected);
  });

  it('are the same, session by session, with the lines shuffled within the reorder window, in one piece or in batches of 100', async () => {
    const asLogged = await sessionsTable(ch);
    const shuffled = writeLines(`${name}.shuffled`, shuffleWithin(lines, DEFAULT_REORDER_MS));
    for (const batchLines of [100_000, 100]) {
      const other = await freshClickHouse();
      await replayFile(other, shuffled, { site: 'example.com', salts: new SaltStore(other), sessionTimeoutMs: TIMEOUT, batchLines });
      expect(await sessionsTable(other), `batches of ${batchLines}`).toEqual(asLogged);
      expectFigures(await apiFigures(other, lines), expected);
      await other.close();
    }
  });
});

describe('sessions through processors that crash', () => {
  it('are the same when the processor restores its sessions from ClickHouse and gets its last batch again', async () => {
    const name = 'secrepo-2021.log';
    const lines = readCombinedLog(fixture(`logs/${name}`));
    const expected = visitFigures(sessionsOf(lines, TIMEOUT));
    const shuffled = shuffleWithin(lines, DEFAULT_REORDER_MS, 42);

    const reference = await freshClickHouse();
    await replayFile(reference, writeLines(`${name}.ordered`, shuffled), { site: 'example.com', salts: new SaltStore(reference), sessionTimeoutMs: TIMEOUT });

    // A live stream: the same hits as bus records, 100 to a batch. Every fifth batch the processor
    // "crashes" after loading a batch and before committing it: a new handler (nothing in memory)
    // gets that batch again, restores the stream's open sessions from ClickHouse, and goes on.
    const ch = await freshClickHouse();
    const salts = new SaltStore(ch); // one salt store: visitor ids of old days are the same across "processes"
    const records = shuffled.map((l, i) => logRecord(l.raw, i + 1, { position: `hits:0@${i + 1}` }));
    let handler = createBatchHandler({ ch, salts, sessionTimeoutMs: TIMEOUT });
    let crashes = 0;
    for (let i = 0, batch = 0; i < records.length; i += 100, batch++) {
      const part = { records: records.slice(i, i + 100), token: `hits:0:${i}`, stream: 'hits:0', end: Math.min(i + 100, records.length) + 1 };
      await handler.handle(part);
      if (batch % 5 === 4) {
        handler = createBatchHandler({ ch, salts, sessionTimeoutMs: TIMEOUT });
        await handler.handle(part);
        crashes++;
      }
    }
    expect(crashes).toBeGreaterThan(5);
    expect(await sessionsTable(ch)).toEqual(await sessionsTable(reference));
    expect(await rows(ch, 'SELECT count() AS n FROM events')).toEqual([{ n: lines.filter(isHuman).length }]);
    // Every event belongs to exactly one session, under its id or an id the session had before.
    expect(await rows(ch, `
      SELECT count() AS n FROM events AS e
      LEFT JOIN (SELECT arrayJoin(arrayPushFront(merged_ids, session_id)) AS sid, 1 AS found FROM sessions FINAL) AS s ON e.session_id = s.sid
      WHERE s.found = 0`)).toEqual([{ n: 0 }]);
    const app = new Hono().route('/', statsRoutes({ ch }));
    const times = lines.map((l) => l.ts);
    const range = `site=example.com&from=${Math.floor(Math.min(...times) / HOUR) * HOUR}&to=${Math.ceil((Math.max(...times) + 1) / HOUR) * HOUR}`;
    const overview = ((await (await app.request(`/api/stats/overview?${range}`)).json()) as { data: any }).data.current;
    expect({ visits: overview.visits, visitors: overview.visitors }).toEqual({ visits: expected.visits, visitors: expected.visitors });
    await Promise.all([ch.close(), reference.close()]);
  });
});
