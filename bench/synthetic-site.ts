/**
 * One synthetic site's traffic for the dashboard benchmarks: `events` hits
 * over the 30 days up to `end` (bench/generate-events.sql) and their sessions
 * (generate-sessions.sql), merged and settled — a benchmark measures the
 * queries, not merges still running from the load.
 */
import type { ClickHouse } from '../clickhouse/connect.ts';
import { clientOf } from '../clickhouse/raw-client.ts';
import { readSql } from '../clickhouse/sql.ts';

export async function generateSyntheticSite(
  ch: ClickHouse,
  opts: { events: number; end: string; progress?: (done: number) => void },
): Promise<void> {
  const chunk = 1_000_000;
  for (let offset = 0; offset < opts.events; offset += chunk) {
    await clientOf(ch).command({
      query: await readSql('../bench/generate-events.sql'),
      query_params: { end: opts.end, offset, rows: Math.min(chunk, opts.events - offset) },
      clickhouse_settings: { insert_deduplication_token: `bench:${offset}`, max_partitions_per_insert_block: '100', async_insert: 0 },
    });
    opts.progress?.(Math.min(offset + chunk, opts.events));
  }
  await clientOf(ch).command({
    query: await readSql('../bench/generate-sessions.sql'),
    query_params: { end: opts.end, sessions: Math.round(opts.events / 7) },
    clickhouse_settings: { insert_deduplication_token: 'bench:sessions', max_partitions_per_insert_block: '100' },
  });
  for (const table of ['events', 'sessions', 'traffic_minute', 'pages_hour'])
    await clientOf(ch).command({ query: `OPTIMIZE TABLE ${table} FINAL` });
  for (;;) {
    const [m] = await (await clientOf(ch).query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' })).json<{
      n: string;
    }>();
    if (Number(m!.n) === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
