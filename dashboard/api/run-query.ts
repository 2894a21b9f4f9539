/** Runs one named dashboard query with bound parameters (SQL from clickhouse/queries/dashboard/). */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { readSql } from '../../clickhouse/sql.ts';
import { chTime } from '../../processor/steps/to-rows.ts';
import type { QueryParams } from './params.ts';

export async function runQuery<T = Record<string, unknown>>(ch: ClickHouse, file: string, p: QueryParams, extra: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await ch.client.query({
    query: await readSql(`queries/dashboard/${file}.sql`),
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
