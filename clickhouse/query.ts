/**
 * Reads and statements, each from a .sql file under clickhouse/ with bound
 * parameters ({name:Type}): the only way code outside clickhouse/ talks to
 * ClickHouse besides inserts (insert.ts) and the dashboard's named queries
 * (named-query.ts).
 */
import type { ClickHouseSettings } from '@clickhouse/client';
import { errorMessage } from '../common/errors.ts';
import type { ClickHouse } from './connect.ts';
import { clientOf } from './raw-client.ts';
import { readSql } from './sql.ts';
import { asClickHouseError } from './errors.ts';

export type Params = Record<string, unknown>;

/** Runs a SELECT from `sqlFile` (relative to clickhouse/) and returns its rows; `signal` stops it (the client cancels the query). */
export async function selectRows<T>(
  ch: ClickHouse,
  sqlFile: string,
  params: Params = {},
  settings?: ClickHouseSettings,
  signal?: AbortSignal,
): Promise<T[]> {
  const query = await readSql(sqlFile);
  try {
    const rs = await clientOf(ch).query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: settings,
      abort_signal: signal,
    });
    return await rs.json<T>();
  } catch (err) {
    throw asClickHouseError(err);
  }
}

/** Runs a statement that returns no rows (DDL, DELETE, SET) from `sqlFile`. */
export async function command(ch: ClickHouse, sqlFile: string, params: Params = {}, settings?: ClickHouseSettings): Promise<void> {
  const query = await readSql(sqlFile);
  await clientOf(ch)
    .command({ query, query_params: params, clickhouse_settings: settings })
    .catch((err: unknown) => {
      throw asClickHouseError(err);
    });
}

/** Whether ClickHouse answers: an empty list, or the problem for /readyz. */
export async function ping(ch: ClickHouse): Promise<string[]> {
  const res = await clientOf(ch).ping();
  return res.success ? [] : [`ClickHouse does not answer: ${errorMessage(res.error)}`];
}
