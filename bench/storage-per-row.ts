/**
 * Bytes on disk per row, the figure docs/scaling.md multiplies by a billion:
 * a log built from the real logs (bench/build-log.ts) is imported with
 * `scalehouse replay` into a fresh embedded engine, every table is merged to
 * one state (OPTIMIZE … FINAL: sessions keep one version each, as they do once
 * merges catch up), and system.parts / system.columns give compressed bytes
 * per row of each table and of each column of `events`. Also printed: the
 * ratios the sizing needs (human share of hits, hits per session) and the size
 * of a log hit on the bus.
 *
 *   npx tsx bench/storage-per-row.ts [LINES]     (LINES: 1,000,000 by default)
 */
import { openEngine } from './open-engine.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLog } from './build-log.ts';
import { clientOf } from '../clickhouse/raw-client.ts';
import { logHit } from '../common/hit.ts';

const LINES = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'scalehouse-bench-storage-'));
const log = join(dir, 'access.log');
const dataDir = join(dir, 'data');

const lines = await buildLog(log, LINES);
const text = readFileSync(log, 'utf8').split('\n').filter(Boolean);
// A log hit as the collector puts it on the bus (before the address in the line becomes a pseudonym).
const busBytes =
  text.reduce(
    (n, l) => n + Buffer.byteLength(JSON.stringify(logHit('bench.example', l, { receivedAt: Date.now(), client: '203.0.113.9' }))),
    0,
  ) / text.length;

const started = Date.now();
const r = spawnSync(process.execPath, ['bin/scalehouse.mjs', 'replay', log, '--site', 'bench.example'], {
  env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (r.status !== 0) throw new Error('scalehouse replay failed');
const seconds = (Date.now() - started) / 1000;

const ch = await openEngine(dataDir);
const c = clientOf(ch);
const select = async <T>(query: string): Promise<T[]> =>
  (await c.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } })).json<T>();
for (const { name } of await select<{ name: string }>(
  "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree'",
)) {
  await c.command({ query: `OPTIMIZE TABLE \`${name}\` FINAL` });
}
const tables = await select<{ table: string; rows: number; compressed: number; uncompressed: number }>(`
  SELECT table, sum(rows) AS rows, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
  FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table HAVING rows > 0 ORDER BY compressed DESC`);
// At this size a day's part is compact (one file for all columns); at a billion a day every part is
// wide, one file per column: a wide copy gives both the figure that applies there and the bytes per column.
await c.command({
  query:
    'CREATE TABLE events_wide AS events ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (site, ts) SETTINGS min_bytes_for_wide_part = 0, min_rows_for_wide_part = 0',
});
await c.command({ query: 'INSERT INTO events_wide SELECT * FROM events' });
await c.command({ query: 'OPTIMIZE TABLE events_wide FINAL' });
const columns = await select<{ name: string; compressed: number }>(`
  SELECT column AS name, sum(column_data_compressed_bytes) AS compressed FROM system.parts_columns
  WHERE active AND database = currentDatabase() AND table = 'events_wide' GROUP BY column ORDER BY compressed DESC`);
const [wide] = await select<{ compressed: number }>(
  "SELECT sum(data_compressed_bytes) AS compressed FROM system.parts WHERE active AND database = currentDatabase() AND table = 'events_wide'",
);
// Human: as the dashboards count (queries/dashboard/_human.sql), without visitors found to be bots by behaviour.
const HUMAN = '(site, visitor_id) NOT IN (SELECT site, visitor_id FROM bot_visitors)';
const [counts] = await select<{ events: number; human: number; bots: number; sessions: number; human_sessions: number }>(`
  SELECT (SELECT count() FROM events) AS events, (SELECT count() FROM events WHERE ${HUMAN}) AS human, (SELECT sum(hits) FROM bots_minute) AS bots,
         (SELECT count() FROM sessions FINAL) AS sessions, (SELECT count() FROM sessions FINAL WHERE ${HUMAN}) AS human_sessions`);
await ch.close();

const perRow = (bytes: number, rows: number) => (bytes / rows).toFixed(1);
const botBytes = tables.filter((t) => t.table === 'bots_minute' || t.table === 'bot_hit_samples').reduce((n, t) => n + t.compressed, 0);
const total = tables.reduce((n, t) => n + t.compressed, 0);
const k = counts!;
const out = [
  `${lines.toLocaleString()} lines imported in ${seconds.toFixed(1)} s; a log hit on the bus: ${busBytes.toFixed(0)} bytes of JSON on average`,
  `human hits ${k.human.toLocaleString()} (${((100 * k.human) / lines).toFixed(1)}% of lines) in ${k.human_sessions.toLocaleString()} sessions (${(k.human / k.human_sessions).toFixed(2)} hits each);` +
    ` rows: events ${k.events.toLocaleString()} (with the hits of visitors later found to be bots), bot hits ${k.bots.toLocaleString()} (counted in bots_minute), sessions ${k.sessions.toLocaleString()}`,
  `bot hits on disk (bots_minute and bot_hit_samples): ${perRow(botBytes, k.bots)} bytes per bot line`,
  `all tables: ${(total / 2 ** 20).toFixed(2)} MiB, ${perRow(total, lines)} bytes per line of the log; events in wide parts: ${perRow(wide!.compressed, k.events)} bytes per row`,
  '',
  '| table | rows | compressed | uncompressed | bytes/row compressed |',
  '|---|---|---|---|---|',
  ...tables.map(
    (t) =>
      `| \`${t.table}\` | ${t.rows.toLocaleString()} | ${(t.compressed / 2 ** 20).toFixed(2)} MiB | ${(t.uncompressed / 2 ** 20).toFixed(2)} MiB | ${perRow(t.compressed, t.rows)} |`,
  ),
  '',
  '| `events` column (wide parts) | bytes/row compressed |',
  '|---|---|',
  ...columns.filter((col) => col.compressed / k.events >= 0.05).map((col) => `| \`${col.name}\` | ${perRow(col.compressed, k.events)} |`),
];
process.stdout.write(`${out.join('\n')}\n`);
