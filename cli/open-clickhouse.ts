/**
 * Connects to ClickHouse and brings the schema up to date: what every command
 * needs first — unless CLICKHOUSE_MIGRATE=false, for roles whose ClickHouse
 * user may only read or insert (clickhouse/access/); an admin runs
 * `scalehouse migrate` for them.
 */
import type { Config } from '../common/config.ts';
import { connectClickHouse, type ClickHouse } from '../clickhouse/connect.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { log } from '../common/log.ts';

export async function openClickHouse(config: Config): Promise<ClickHouse> {
  const migrating = config.CLICKHOUSE_MIGRATE;
  const ch = await connectClickHouse({ ...config, createDatabase: migrating });
  if (!migrating) return ch;
  const applied = await migrate(ch, { rawRetentionDays: config.RAW_RETENTION_DAYS, cluster: config.CLICKHOUSE_CLUSTER });
  if (applied.length) log.info('ClickHouse schema migrated', { applied });
  return ch;
}
