/** The embedded engine of a benchmark's DATA_DIR, as `scalehouse start` opens it (database `scalehouse`, its default user). */
import { type ClickHouse, connectClickHouse } from '../clickhouse/connect.ts';

export const openEngine = (dataDir: string): Promise<ClickHouse> =>
  connectClickHouse({
    CLICKHOUSE_URL: '',
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'scalehouse',
    DATA_DIR: dataDir,
  });
