/**
 * Every insert Scalehouse makes goes through here, with a deduplication token.
 * ClickHouse remembers recent tokens per table (non_replicated_deduplication_window)
 * and silently drops a block whose token it has seen, so a batch redelivered
 * after a crash is not counted twice — in the table and, with
 * deduplicate_blocks_in_dependent_materialized_views, in every rollup.
 * A token is required, never optional: the embedded engine keeps settings for
 * the session, so an insert without one would reuse the previous token and be
 * dropped as a duplicate.
 */
import type { ClickHouse } from './connect.ts';
import { clientOf } from './raw-client.ts';

export async function insertRows(ch: ClickHouse, table: string, rows: object[], token: string): Promise<void> {
  if (rows.length === 0) return;
  await clientOf(ch).insert({
    table,
    values: rows,
    format: 'JSONEachRow',
    clickhouse_settings: {
      insert_deduplicate: 1,
      insert_deduplication_token: `${token}:${table}`,
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // Replayed history spans many days, and events are partitioned by day.
      max_partitions_per_insert_block: '1000',
      async_insert: 0,
      date_time_input_format: 'best_effort',
    },
  });
}
