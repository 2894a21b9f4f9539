/**
 * What an import left on disk: rows and compressed bytes per table of the
 * embedded engine in `dataDir`, after the raw tables' merges are forced
 * (`OPTIMIZE … FINAL`, and of the bot rollup and samples), so parts still waiting to merge do not count twice.
 * One data folder at a time: the engine is opened in this process and closed.
 */
import { openEngine } from './open-engine.ts';
import { clientOf } from '../clickhouse/raw-client.ts';

export interface TableSize {
  table: string;
  rows: number;
  bytes: number;
}

export async function tableSizes(dataDir: string): Promise<TableSize[]> {
  const ch = await openEngine(dataDir);
  try {
    const c = clientOf(ch);
    await c.command({ query: 'OPTIMIZE TABLE events FINAL' });
    await c.command({ query: 'OPTIMIZE TABLE bots_minute FINAL' });
    await c.command({ query: 'OPTIMIZE TABLE bot_hit_samples FINAL' });
    const rs = await c.query({
      query: `SELECT table, sum(rows) AS rows, sum(data_compressed_bytes) AS bytes FROM system.parts
              WHERE active AND database = currentDatabase() GROUP BY table HAVING rows > 0 ORDER BY bytes DESC`,
      format: 'JSONEachRow',
    });
    return (await rs.json<{ table: string; rows: string; bytes: string }>()).map((r) => ({
      table: r.table,
      rows: Number(r.rows),
      bytes: Number(r.bytes),
    }));
  } finally {
    await ch.close();
  }
}
