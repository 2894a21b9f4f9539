import { commandConfig } from '../command-config.ts';
import { connectClickHouse } from '../../clickhouse/connect.ts';
import { migrate } from '../../clickhouse/migrate.ts';

export async function migrateCommand(args: string[]): Promise<void> {
  const config = commandConfig(args);
  const ch = await connectClickHouse(config);
  try {
    const applied = await migrate(ch, { rawRetentionDays: config.RAW_RETENTION_DAYS, cluster: config.CLICKHOUSE_CLUSTER });
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await ch.close();
  }
}
