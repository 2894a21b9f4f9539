/** The loader against the real engine: data errors are recognised and never retried; the rows to blame are dead letters, the rest loads. */
import { describe, expect, it } from 'vitest';
import { loadBatch } from '../../processor/load/load-batch.ts';
import { insertIsolating } from '../../clickhouse/insert-isolating.ts';
import { processBatch } from '../../processor/batch/process-batch.ts';
import { emptySessionState } from '../../processor/batch/sessionize.ts';
import { clfTime, logRecord, TODAY } from '../helpers/hits.ts';
import { ClickHouseError, isDataError } from '../../clickhouse/errors.ts';
import { isRetriable } from '../../common/errors.ts';
import { selectRows } from '../../clickhouse/query.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { chTime } from '../../clickhouse/time.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';

describe('loader', () => {
  it('stores any text byte for byte, and a token loads its rows once', async () => {
    const ch = await freshClickHouse();
    // Rows travel inline after the statement (clickhouse/insert.ts): nothing in them may end it or change it.
    const hostile = [
      `'; DROP TABLE dead_letters; --`,
      'a"b\\"c',
      'line\nbreak\r\n',
      '\\',
      'FORMAT TSV\n1\t2',
      '{"json":[1,2]}',
      'é 漢字 🙂',
      '`tick`',
      '\u0000nul',
      ';',
    ];
    const now = Date.now();
    const at = (i: number) => chTime(now + i * 1000); // dead letters are kept 30 days
    const toRow = (raw: string, i: number) => ({
      ts: at(i),
      site: 's',
      source: 'log',
      reason: 'invalid_hit',
      detail: raw,
      raw,
      position: `p@${i}`,
    });
    const batch = hostile.map(toRow);
    await insertRows(ch, 'dead_letters', batch, 'same-token');
    await insertRows(ch, 'dead_letters', batch, 'same-token');
    const stored = await rows<{ raw: string; detail: string }>(ch, 'SELECT raw, detail FROM dead_letters ORDER BY ts');
    expect(stored.map((r) => r.raw)).toEqual(hostile);
    expect(stored.map((r) => r.detail)).toEqual(hostile);
    await insertRows(ch, 'dead_letters', batch, 'another-token');
    expect(await rows(ch, 'SELECT count() AS n FROM dead_letters')).toEqual([{ n: 2 * hostile.length }]);
    await ch.close();
  });

  it('recognises ClickHouse data errors from the embedded engine', async () => {
    const ch = await freshClickHouse();
    const err = await insertRows(
      ch,
      'pipeline_stats',
      [{ minute: '2026-11-28 10:00:00', site: 's', outcome: 'o', reason: 'r', count: -5 }],
      't1',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isDataError(err)).toBe(true);
    expect(isDataError(new Error('ECONNREFUSED'))).toBe(false);
    // In the project's words (common/errors.ts): a data error is made not retriable where it leaves clickhouse/…
    expect([err instanceof ClickHouseError, (err as ClickHouseError).code, isRetriable(err)]).toEqual([true, 72, false]); // CANNOT_PARSE_NUMBER: -5 into a UInt64;
    // …as is a statement that is wrong (a query parameter not bound); every other failure of ClickHouse is
    // retriable: a table missing may be there once `scalehouse migrate` has run.
    const missing = await insertRows(ch, 'no_such_table', [{ a: 1 }], 't2').catch((e: unknown) => e);
    expect([missing instanceof ClickHouseError, (missing as ClickHouseError).code, isDataError(missing), isRetriable(missing)]).toEqual([
      true,
      60,
      false,
      true,
    ]);
    const unknownTable = await selectRows(ch, 'queries/salts-read.sql', {}).catch((e: unknown) => e);
    expect([unknownTable instanceof ClickHouseError, (unknownTable as ClickHouseError).code, isRetriable(unknownTable)]).toEqual([
      true,
      456,
      false,
    ]);
    await ch.close();
  });

  it('loads every row the engine takes, names the ones it refuses, and does it once under the same token', async () => {
    const ch = await freshClickHouse();
    const now = Date.now();
    const row = (i: number, raw = `line ${i}`) => ({
      ts: chTime(now + i * 1000),
      site: 's',
      source: 'log',
      reason: 'r',
      detail: '',
      raw,
      position: `p@${i}`,
    });
    // Rows the engine refuses whatever the pipeline did before: a lone high surrogate (a lone low one it
    // takes), a time it cannot read.
    const poison = new Map<number, object>([
      [3, row(3, 'x\ud800')],
      [11, { ...row(11), ts: 'not a time' }],
      [12, row(12, 'y\udbff')],
    ]);
    const batch = Array.from({ length: 20 }, (_, i) => poison.get(i) ?? row(i));
    const refused = await insertIsolating(ch, 'dead_letters', batch, 'iso');
    expect(refused.map((r) => r.index)).toEqual([3, 11, 12]);
    expect(refused[0]!.error).toMatch(/surrogate/);
    expect(refused[1]!.error).toMatch(/DateTime/);
    const stored = async () =>
      (await rows<{ position: string }>(ch, 'SELECT position FROM dead_letters ORDER BY ts')).map((r) => r.position);
    const expected = batch.map((_, i) => `p@${i}`).filter((_, i) => !poison.has(i));
    expect(await stored()).toEqual(expected);
    // The same batch again (a redelivery after a crash): the same parts, the same tokens, nothing twice.
    expect((await insertIsolating(ch, 'dead_letters', batch, 'iso')).map((r) => r.index)).toEqual([3, 11, 12]);
    expect(await stored()).toEqual(expected);
    // Failures that are not about the rows are thrown, not taken for refusals.
    await expect(insertIsolating(ch, 'no_such_table', batch, 'iso')).rejects.toThrow();
    expect(isDataError(await insertIsolating(ch, 'no_such_table', batch, 'iso').catch((e: unknown) => e))).toBe(false);
    await ch.close();
  });

  it('dead-letters the hits whose rows the engine refuses, loads the rest of the batch, and keeps every count', async () => {
    const ch = await freshClickHouse();
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
    const at = new Date(TODAY + 10 * 3_600_000);
    const records = Array.from({ length: 9 }, (_, i) =>
      logRecord(`192.0.2.${i + 1} - - [${clfTime(at.getTime() + i * 1000)}] "GET /p${i} HTTP/1.1" 200 5 "-" "${ua}"`, i + 1, {
        position: `p@${i}`,
      }),
    );
    const now = Date.now();
    const out = processBatch(records, emptySessionState(), {
      saltFor: () => Buffer.alloc(32),
      sessionTimeoutMs: 1_800_000,
      now,
      stream: 's',
    });
    expect(out.events).toHaveLength(9);
    // Whatever made them so, two rows the engine cannot take: the rest of the batch must not wait for them.
    const poisoned = [2, 6];
    for (const i of poisoned) out.events[i]!.event_name = `bad\ud800${i}`;
    const loaded = await loadBatch(ch, out, records, 'batch-1', now);
    expect(loaded.refused).toBe(2);
    const paths = async () => (await rows<{ path: string }>(ch, 'SELECT path FROM events ORDER BY path')).map((r) => r.path);
    const kept = records.map((_, i) => `/p${i}`).filter((_, i) => !poisoned.includes(i));
    expect(await paths()).toEqual(kept);
    const letters = async () =>
      rows<{ reason: string; position: string; source: string; raw: string; detail: string }>(
        ch,
        'SELECT reason, position, source, raw, detail FROM dead_letters ORDER BY position',
      );
    const expectedLetters = poisoned.map((i) => ({
      reason: 'load_rejected',
      position: `p@${i}`,
      source: 'log',
      raw: expect.stringContaining(`/p${i} HTTP`),
      detail: expect.stringMatching(/^events: .*surrogate/),
    }));
    expect(await letters()).toEqual(expectedLetters);
    // Every line is counted once: 7 events and 2 dead letters, whatever the load did.
    const counts = async () =>
      rows(ch, 'SELECT outcome, reason, toUInt32(sum(count)) AS n FROM pipeline_stats GROUP BY outcome, reason ORDER BY outcome');
    expect(await counts()).toEqual([
      { outcome: 'dead_letter', reason: 'load_rejected', n: 2 },
      { outcome: 'event', reason: '', n: 7 },
    ]);
    expect(loaded.stats.map((s) => [s.outcome, s.count]).sort()).toEqual([
      ['dead_letter', 2],
      ['event', 7],
    ]);
    // Loaded again under its token, as after a crash: nothing changes.
    await loadBatch(ch, out, records, 'batch-1', now, true);
    expect(await paths()).toEqual(kept);
    expect(await letters()).toEqual(expectedLetters);
    expect(await counts()).toEqual([
      { outcome: 'dead_letter', reason: 'load_rejected', n: 2 },
      { outcome: 'event', reason: '', n: 7 },
    ]);
    // The visits are loaded (their rows were not refused): one per visitor.
    expect(await rows(ch, 'SELECT count() AS n FROM sessions FINAL')).toEqual([{ n: 9 }]);
    await ch.close();
  });

  it('dead-letters every line a refused bot rollup row counts, loads the other rows, and keeps every count', async () => {
    const ch = await freshClickHouse();
    const at = TODAY + 10 * 3_600_000;
    const line = (i: number, path: string, ua: string) =>
      logRecord(`192.0.2.${i + 1} - - [${clfTime(at + i * 1000)}] "GET ${path} HTTP/1.1" 200 5 "-" "${ua}"`, i + 1, { position: `p@${i}` });
    const googlebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    const records = [
      line(0, '/a', googlebot),
      line(1, '/b', googlebot),
      line(2, '/a', googlebot),
      line(3, '/a', 'curl/8.5.0'),
      line(4, '/a', googlebot),
    ];
    const now = Date.now();
    const out = processBatch(records, emptySessionState(), {
      saltFor: () => Buffer.alloc(32),
      sessionTimeoutMs: 1_800_000,
      now,
      stream: 's',
    });
    // Counted, not one row each: Googlebot's /a (three lines), its /b, curl's /a; a sample per user agent.
    expect(out.botMinutes.map((r) => [r.bot_name, r.path, r.hits, r.bytes])).toEqual([
      ['Googlebot', '/a', 3, 15],
      ['Googlebot', '/b', 1, 5],
      ['curl', '/a', 1, 5],
    ]);
    expect(out.origins.botMinutes).toEqual([['p@0', 'p@2', 'p@4'], ['p@1'], ['p@3']]);
    expect(out.botSamples.map((r) => [r.bot_name, r.path, r.ts.slice(11)])).toEqual([
      ['Googlebot', '/a', '10:00:04.000'],
      ['curl', '/a', '10:00:03.000'],
    ]);
    // Whatever made it so, a row the engine cannot take: the three lines it counts are dead letters, the rest loads.
    out.botMinutes[0]!.path = '/a\ud800';
    const loaded = await loadBatch(ch, out, records, 'batch-b', now);
    expect(loaded.refused).toBe(3);
    const stored = () =>
      rows(ch, 'SELECT bot_name, path, toUInt32(sum(hits)) AS n FROM bots_minute GROUP BY bot_name, path ORDER BY bot_name, path');
    const kept = [
      { bot_name: 'Googlebot', path: '/b', n: 1 },
      { bot_name: 'curl', path: '/a', n: 1 },
    ];
    expect(await stored()).toEqual(kept);
    const letters = () => rows(ch, 'SELECT reason, position, source, detail FROM dead_letters ORDER BY position');
    const expectedLetters = ['p@0', 'p@2', 'p@4'].map((position) => ({
      reason: 'load_rejected',
      position,
      source: 'log',
      detail: expect.stringMatching(/^bots_minute: .*surrogate/),
    }));
    expect(await letters()).toEqual(expectedLetters);
    // Every line is counted once: two bot hits and three dead letters.
    const counts = () =>
      rows(ch, 'SELECT outcome, reason, toUInt32(sum(count)) AS n FROM pipeline_stats GROUP BY outcome, reason ORDER BY outcome');
    const expectedCounts = [
      { outcome: 'dead_letter', reason: 'load_rejected', n: 3 },
      { outcome: 'dropped', reason: 'bot', n: 2 },
    ];
    expect(await counts()).toEqual(expectedCounts);
    expect(await rows(ch, 'SELECT toUInt32(sum(bot_hits)) AS n FROM traffic_minute')).toEqual([{ n: 2 }]);
    // Loaded again under its token, as after a crash: nothing changes.
    await loadBatch(ch, out, records, 'batch-b', now, true);
    expect(await stored()).toEqual(kept);
    expect(await letters()).toEqual(expectedLetters);
    expect(await counts()).toEqual(expectedCounts);
    expect(await rows(ch, 'SELECT count() AS n FROM bot_hit_samples')).toEqual([{ n: 2 }]);
    await ch.close();
  });

  it('keeps a session the engine refuses as a dead letter of its own, counted apart from the lines', async () => {
    const ch = await freshClickHouse();
    const records = [
      logRecord(
        `192.0.2.1 - - [${clfTime(TODAY + 3_600_000)}] "GET /a HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"`,
        1,
        { position: 'p@1' },
      ),
    ];
    const now = Date.now();
    const out = processBatch(records, emptySessionState(), {
      saltFor: () => Buffer.alloc(32),
      sessionTimeoutMs: 1_800_000,
      now,
      stream: 's',
    });
    out.sessions[0]!.entry_path = '/a\udbff';
    await loadBatch(ch, out, records, 'batch-s', now);
    expect(await rows(ch, 'SELECT count() AS n FROM events')).toEqual([{ n: 1 }]);
    expect(await rows(ch, 'SELECT count() AS n FROM sessions')).toEqual([{ n: 0 }]);
    expect(await rows(ch, 'SELECT source, reason, position FROM dead_letters')).toEqual([
      { source: 'sessions', reason: 'row_rejected', position: '' },
    ]);
    expect(
      await rows(ch, 'SELECT outcome, reason, toUInt32(sum(count)) AS n FROM pipeline_stats GROUP BY outcome, reason ORDER BY outcome'),
    ).toEqual([
      { outcome: 'dead_letter', reason: 'row_rejected', n: 1 },
      { outcome: 'event', reason: '', n: 1 },
    ]);
    await ch.close();
  });
});
