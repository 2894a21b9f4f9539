/**
 * `scalehouse replay` on the real access logs, into the real embedded
 * ClickHouse engine. Expected figures are computed here from the raw files
 * with a deliberately separate, simple reading of the combined format.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { freshClickHouse, HUMAN_EVENTS, HUMAN_SESSIONS, rows } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const tmp = tempDir('replay');
const replay = (ch: ClickHouse, file: string, batchLines = 1000) =>
  replayFile(ch, file, { site: 'example.com', salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000, batchLines });

/** What the file says, read independently of the project's parser. */
function expectedFrom(file: string) {
  const byStatus: Record<string, number> = {};
  const byPath: Record<string, number> = {};
  let lines = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    lines++;
    const quoted = line.split('"');
    const request = quoted[1]!; // the first quoted field is the request line
    const status = quoted[2]!.trim().split(' ')[0]!;
    const parts = request.split(' ');
    const path = parts.length === 3 && /^[A-Z]+$/.test(parts[0]!) ? parts[1]!.split('?')[0]! : '';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    byPath[path] = (byPath[path] ?? 0) + 1;
  }
  return { lines, byStatus, byPath };
}

const toRecord = (list: { k: string | number; n: number }[]) => Object.fromEntries(list.map((r) => [String(r.k), Number(r.n)]));

describe.each(LOG_FILES)('replay %s', (name) => {
  let ch: ClickHouse;
  const file = fixture(`logs/${name}`);
  const expected = expectedFrom(file);

  beforeAll(async () => {
    ch = await freshClickHouse();
  });
  afterAll(async () => {
    await ch.close();
  });

  it('lands every line once, as an event or a bot hit, with per-status and per-path counts equal to the file', async () => {
    const summary = await replay(ch, file);
    expect(summary).toMatchObject({ lines: expected.lines, newLines: expected.lines, deadLetters: 0, optedOut: 0 });
    expect(summary.events + summary.bots).toBe(expected.lines);

    const [counts] = await rows<{ events: number; bots: number }>(
      ch,
      `SELECT (SELECT count() FROM ${HUMAN_EVENTS}) AS events, (SELECT sum(hits) FROM bots_minute) AS bots`,
    );
    expect(counts).toEqual({ events: summary.events, bots: summary.bots });

    const union = `(SELECT status, path FROM ${HUMAN_EVENTS} UNION ALL SELECT status, path FROM bots_minute ARRAY JOIN range(hits) AS _hit)`;
    expect(toRecord(await rows(ch, `SELECT toString(status) AS k, count() AS n FROM ${union} GROUP BY k`))).toEqual(expected.byStatus);
    expect(toRecord(await rows(ch, `SELECT path AS k, count() AS n FROM ${union} GROUP BY k`))).toEqual(expected.byPath);
  });

  it('keeps the rollups in agreement with the raw tables', async () => {
    const traffic = await rows(
      ch,
      `
      SELECT minute, sum(hits) AS hits, sum(pageviews) AS pageviews, sum(status_4xx) AS s4, sum(status_5xx) AS s5, sum(bytes) AS bytes, sum(bot_hits) AS bots
      FROM traffic_minute GROUP BY minute HAVING hits + bots > 0 ORDER BY minute`,
    );
    const raw = await rows(
      ch,
      `
      SELECT minute, sum(h) AS hits, sum(pv) AS pageviews, sum(s4) AS s4, sum(s5) AS s5, sum(b) AS bytes, sum(bot) AS bots FROM (
        SELECT toStartOfMinute(ts) AS minute, 1 AS h, is_pageview AS pv, status BETWEEN 400 AND 499 AS s4, status BETWEEN 500 AND 599 AS s5, bytes AS b, 0 AS bot FROM ${HUMAN_EVENTS}
        UNION ALL SELECT minute, 0, 0, 0, 0, 0, hits FROM bots_minute)
      GROUP BY minute ORDER BY minute`,
    );
    expect(traffic.length).toBeGreaterThan(10);
    expect(traffic).toEqual(raw);

    const pages = await rows(
      ch,
      'SELECT hour, path, sum(hits) AS hits, sum(pageviews) AS pv FROM pages_hour GROUP BY hour, path HAVING hits > 0 ORDER BY hour, path',
    );
    const pagesRaw = await rows(
      ch,
      `SELECT toStartOfHour(ts) AS hour, path, count() AS hits, sum(is_pageview) AS pv FROM ${HUMAN_EVENTS} GROUP BY hour, path ORDER BY hour, path`,
    );
    expect(pages).toEqual(pagesRaw);

    // Every event is in exactly one session: under the session's id, or an id the session had before (merged_ids).
    const [sessions] = await rows(
      ch,
      `SELECT count() AS n, sum(hits) AS hits, sum(pageviews) AS pv, uniqExact(visitor_id) AS visitors FROM ${HUMAN_SESSIONS}`,
    );
    const [sessionsRaw] = await rows(
      ch,
      `SELECT uniqExact(m.session) AS n, count() AS hits, sum(is_pageview) AS pv, uniqExact(e.visitor_id) AS visitors
      FROM ${HUMAN_EVENTS} AS e INNER JOIN (SELECT arrayJoin(arrayPushFront(merged_ids, session_id)) AS sid, session_id AS session FROM ${HUMAN_SESSIONS}) AS m ON e.session_id = m.sid`,
    );
    expect(sessions).toEqual(sessionsRaw);
    expect(Number(sessionsRaw!.visitors)).toBeGreaterThan(0);
  });

  it('adds nothing when the same file is replayed again, and says so', async () => {
    const before = await rows(
      ch,
      `SELECT
      (SELECT count() FROM events) AS events, (SELECT sum(hits) FROM bots_minute) AS bots, (SELECT count() FROM sessions FINAL) AS sessions,
      (SELECT sum(hits) + sum(bot_hits) FROM traffic_minute) AS traffic, (SELECT sum(hits) FROM pages_hour) AS pages,
      (SELECT uniqExact(session_id) FROM events) AS uniq_sessions, (SELECT sum(count) FROM pipeline_stats) AS stats`,
    );
    const again = await replay(ch, file);
    expect(again).toMatchObject({ lines: expected.lines, newLines: 0 });
    const after = await rows(
      ch,
      `SELECT
      (SELECT count() FROM events) AS events, (SELECT sum(hits) FROM bots_minute) AS bots, (SELECT count() FROM sessions FINAL) AS sessions,
      (SELECT sum(hits) + sum(bot_hits) FROM traffic_minute) AS traffic, (SELECT sum(hits) FROM pages_hour) AS pages,
      (SELECT uniqExact(session_id) FROM events) AS uniq_sessions, (SELECT sum(count) FROM pipeline_stats) AS stats`,
    );
    expect(after).toEqual(before);
    expect(Number(before[0]!.traffic)).toBe(expected.lines);
  });
});

describe('replay of damaged input', () => {
  it('sends truncated and unrecognised lines to the dead letters with reasons, IPs masked, and loads the rest', async () => {
    const ch = await freshClickHouse();
    const good = readFileSync(fixture('logs/hackers-access.log'), 'utf8').split('\n').slice(0, 40);
    const cutAt = (line: string, n: number) => line.slice(0, n);
    const bad = [
      cutAt(good[0]!, 30), // inside [time_local]
      cutAt(good[1]!, good[1]!.length - 20), // inside the user agent
      cutAt(good[2]!, good[2]!.indexOf('"') + 10), // inside the request
      'this is not an access log line',
      '{"msec": "1700000000.123", "status": ', // JSON cut off
      '{"msec": "oops", "status": "200"}', // JSON without a readable time
    ];
    const file = join(tmp, 'damaged.log.gz');
    writeFileSync(file, gzipSync([...good.slice(3), ...bad, '', '   '].join('\n') + '\n'));
    const summary = await replay(ch, file, 7);
    expect(summary.lines).toBe(37 + bad.length);
    expect(summary.deadLetters).toBe(bad.length);
    expect(summary.events + summary.bots).toBe(37);

    const letters = await rows<{ reason: string; n: number }>(
      ch,
      'SELECT reason, count() AS n FROM dead_letters GROUP BY reason ORDER BY reason',
    );
    expect(letters).toEqual([
      { reason: 'invalid_json_line', n: 1 },
      { reason: 'invalid_timestamp', n: 1 },
      { reason: 'truncated_line', n: 3 },
      { reason: 'unrecognised_line', n: 1 },
    ]);
    const raws = await rows<{ raw: string; detail: string }>(ch, "SELECT raw, detail FROM dead_letters WHERE reason = 'truncated_line'");
    for (const r of raws) {
      expect(r.raw).toMatch(/^\[ip\] /);
      expect(r.raw).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
      expect(r.detail).not.toBe('');
    }
    const stats = await rows(
      ch,
      "SELECT reason, sum(count) AS n FROM pipeline_stats WHERE outcome = 'dead_letter' GROUP BY reason ORDER BY reason",
    );
    expect(stats).toEqual(letters);
    await ch.close();
  });
});

describe('an interrupted replay, run again', () => {
  it('counts the same events, visitors and sessions as one uninterrupted run, and forgets its seed after', async () => {
    const file = fixture('logs/secrepo-2021.log');
    const clean = await freshClickHouse();
    await replayFile(clean, file, { site: 'example.com', salts: new SaltStore(clean), sessionTimeoutMs: 30 * 60_000, batchLines: 1000 });

    const ch = await freshClickHouse();
    let batches = 0;
    await expect(
      replayFile(ch, file, {
        site: 'example.com',
        salts: new SaltStore(ch),
        sessionTimeoutMs: 30 * 60_000,
        batchLines: 1000,
        onProgress: () => {
          if (++batches === 2) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(await rows(ch, 'SELECT count() AS n FROM replay_seeds')).toEqual([{ n: 1 }]);
    const rerun = await replayFile(ch, file, {
      site: 'example.com',
      salts: new SaltStore(ch),
      sessionTimeoutMs: 30 * 60_000,
      batchLines: 1000,
    });
    // The first batch (1,000 lines) had landed before the interruption; the second had not.
    const lines = expectedFrom(file).lines;
    expect(rerun).toMatchObject({ lines, newLines: lines - 1000 });

    const figures = 'SELECT count() AS events, uniqExact(visitor_id) AS visitors, uniqExact(session_id) AS sessions FROM events';
    expect(await rows(ch, figures)).toEqual(await rows(clean, figures));
    expect(await rows(ch, 'SELECT count() AS n FROM replay_seeds')).toEqual([{ n: 0 }]);
    await ch.close();
    await clean.close();
  });
});

describe('a replay of a file imported before', () => {
  it('hashes its old days with a new secret seed, not one derived from an empty key', async () => {
    const ch = await freshClickHouse();
    const file = fixture('logs/secrepo-2021.log');
    await replay(ch, file);
    const fileHash = createHash('sha256').update(readFileSync(file)).digest('hex');
    const salts = new SaltStore(ch);
    const seed = await salts.useReplaySeed(fileHash);
    const day = '2021-10-24'; // a day of the file, long past: no kept salt
    const emptyKeyed = createHmac('sha256', Buffer.alloc(0)).update(day).digest();
    expect(salts.saltFor(day).equals(emptyKeyed)).toBe(false);
    expect(await rows(ch, "SELECT count() AS n FROM replay_seeds WHERE file_hash = {h:String} AND seed != ''", { h: fileHash })).toEqual([
      { n: 1 },
    ]);
    await seed.done();
    await ch.close();
  });
});
