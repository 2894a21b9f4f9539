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
import { DEFAULT_REORDER_MS } from '../../processor/batch/sessionize.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, HUMAN_EVENTS, rows } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { deliverWithCrashes } from '../helpers/crashing-processor.ts';
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
    await replayFile(reference, writeLines(`${name}.ordered`, shuffled), {
      site: 'example.com',
      salts: new SaltStore(reference),
      sessionTimeoutMs: TIMEOUT,
    });

    // 100 hits to a batch; every fifth batch the processor dies after loading and before committing,
    // and a new one restores the stream's state from ClickHouse and does the batch again.
    const ch = await freshClickHouse();
    const crashes = await deliverWithCrashes(ch, shuffled, { sessionTimeoutMs: TIMEOUT, batchSize: 100, crashEvery: 5 });
    expect(crashes).toBeGreaterThan(5);
    expect(await sessionsTable(ch)).toEqual(await sessionsTable(reference));
    expect(await rows(ch, `SELECT count() AS n FROM ${HUMAN_EVENTS}`)).toEqual([{ n: humanLines(lines).length }]);
    // Every event belongs to exactly one session, under its id or an id the session had before.
    expect(
      await rows(
        ch,
        `
      SELECT count() AS n FROM events AS e
      LEFT JOIN (SELECT arrayJoin(arrayPushFront(merged_ids, session_id)) AS sid, 1 AS found FROM sessions FINAL) AS s ON e.session_id = s.sid
      WHERE s.found = 0`,
      ),
    ).toEqual([{ n: 0 }]);
    const app = new Hono().route('/api/stats', statsRoutes({ ch }));
    const overview = ((await (await app.request(`/api/stats/overview?${rangeOf(lines)}`)).json()) as { data: any }).data.current;
    expect({ visits: overview.visits, visitors: overview.visitors }).toEqual({ visits: expected.visits, visitors: expected.visitors });
    await Promise.all([ch.close(), reference.close()]);
  });
});
