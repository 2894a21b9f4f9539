import { commandConfig } from '../command-config.ts';
import { connectClickHouse } from '../../clickhouse/connect.ts';
import { migrate } from '../../clickhouse/migrate.ts';
import { prepareDataDir } from '../../common/data-dir.ts';

export async function migrateCommand(args: string[]): Promise<void> {
  const config = commandConfig(args);
  // The embedded engine keeps its files in DATA_DIR; a server keeps its own.
  if (!config.CLICKHOUSE_URL) await prepareDataDir(config.DATA_DIR);
  const ch = await connectClickHouse(config);
  try {
    const applied = await migrate(ch, { rawRetentionDays: config.RAW_RETENTION_DAYS, cluster: config.CLICKHOUSE_CLUSTER });
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await ch.close();
  }
}
