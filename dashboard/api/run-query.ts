/** Runs one named dashboard query with bound parameters (SQL from clickhouse/queries/dashboard/). */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { readSql } from '../../clickhouse/sql.ts';
import { chTime } from '../../processor/steps/to-rows.ts';
import type { QueryParams } from './params.ts';

/** The query's SQL with its `-- @event-filters` / `-- @session-filters` line replaced by the shared conditions. */
async function sqlOf(file: string): Promise<string> {
  const sql = await readSql(`queries/dashboard/${file}.sql`);
  if (!sql.includes('-- @')) return sql;
  const events = await readSql('queries/dashboard/_event-filters.sql');
  const sessions = await readSql('queries/dashboard/_session-filters.sql');
  return sql.replace(/^\s*-- @event-filters$/m, events.trimEnd()).replace(/^\s*-- @session-filters$/m, sessions.trimEnd());
}

export async function runQuery<T = Record<string, unknown>>(ch: ClickHouse, file: string, p: QueryParams, extra: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await ch.client.query({
    query: await sqlOf(file),
    query_params: {
      site: p.site, from: chTime(p.from), to: chTime(p.to), bucket: p.bucket, limit: p.limit,
      page: p.page, channel: p.channel, device: p.device, country: p.country, status_class: p.status_class, ...extra,
    },
    format: 'JSONEachRow',
    // Numbers as numbers (counts stay far below 2^53); a dashboard query may not run away.
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, max_execution_time: 30 },
  });
  return rs.json<T>();
}
