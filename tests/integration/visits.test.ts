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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { statsRoutes } from '../../dashboard/api/routes.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { DEFAULT_REORDER_MS } from '../../processor/batch/sessionize.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, HUMAN_EVENTS, rows } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { logRecord } from '../helpers/hits.ts';
import { humanLines, readCombinedLog, sessionsOf, shuffleWithin, visitFigures, type LogLine } from '../helpers/read-log.ts';
import { apiFigures, expectFigures, rangeOf, sessionsTable, writeLines as writeLinesIn } from '../helpers/visit-figures.ts';

const TIMEOUT = 30 * 60_000;
const tmp = mkdtempSync(join(tmpdir(), 'scalehouse-visits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const writeLines = (name: string, lines: LogLine[]) => writeLinesIn(tmp, name, lines);

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
    expect(await rows(ch, `SELECT count() AS n FROM ${HUMAN_EVENTS}`)).toEqual([{ n: humanLines(lines).length }]);
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
    expect(await rows(ch, `SELECT count() AS n FROM ${HUMAN_EVENTS}`)).toEqual([{ n: humanLines(lines).length }]);
    // Every event belongs to exactly one session, under its id or an id the session had before.
    expect(await rows(ch, `
      SELECT count() AS n FROM events AS e
      LEFT JOIN (SELECT arrayJoin(arrayPushFront(merged_ids, session_id)) AS sid, 1 AS found FROM sessions FINAL) AS s ON e.session_id = s.sid
      WHERE s.found = 0`)).toEqual([{ n: 0 }]);
    const app = new Hono().route('/', statsRoutes({ ch }));
    const overview = ((await (await app.request(`/api/stats/overview?${rangeOf(lines)}`)).json()) as { data: any }).data.current;
    expect({ visits: overview.visits, visitors: overview.visitors }).toEqual({ visits: expected.visits, visitors: expected.visitors });
    await Promise.all([ch.close(), reference.close()]);
  });
});
