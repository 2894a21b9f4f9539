/**
 * A batch staged in the engine and read back through one query: a temporary
 * table of this session (Memory, never on disk), filled by one insert of
 * tab-separated bytes, read by `sqlFile`, then dropped. Embedded, the bytes go
 * through chdb's raw insert (the Buffer handed to the engine as it is, its own
 * parser reads it); against a server, the same bytes as the body of one
 * `INSERT … FORMAT TabSeparated`, all four statements in one HTTP session
 * (a temporary table lives in its session only).
 */
import { randomUUID } from 'node:crypto';
import type { ClickHouse } from './connect.ts';
import { clientOf, rawInsertOf } from './raw-client.ts';
import { readSql } from './sql.ts';
import { asClickHouseError } from './errors.ts';
import type { Params } from './query.ts';

export async function selectStaged<T>(ch: ClickHouse, tsv: Buffer, sqlFile: string, params: Params): Promise<T[]> {
  const client = clientOf(ch);
  const stage = `stage_${randomUUID().replace(/-/g, '')}`;
  const session = ch.embedded ? {} : { session_id: stage };
  try {
    await client.command({ query: await readSql('queries/stage/create-stage.sql'), query_params: { stage }, ...session });
    try {
      const raw = rawInsertOf(ch);
      if (raw) await raw({ table: stage, values: tsv, format: 'TSV' });
      else await client.insert({ table: stage, values: [tsv.toString('utf8')], format: 'TabSeparated', ...session } as never);
      const rs = await client.query({
        query: await readSql(sqlFile),
        query_params: { ...params, stage },
        format: 'JSONEachRow',
        ...session,
      });
      return await rs.json<T>();
    } finally {
      await client.command({ query: await readSql('queries/stage/drop-stage.sql'), query_params: { stage }, ...session });
    }
  } catch (err) {
    throw asClickHouseError(err);
  }
}
