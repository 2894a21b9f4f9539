/**
 * A batch's staging tables in the engine (processor/stage/): temporary
 * tables (Memory, never on disk) of one session, made for the batch and
 * dropped with it — the visitors' addresses in them go with them. Embedded,
 * the handle is its own session and bytes go in through chdb's raw insert
 * (the Buffer handed to the engine as it is); against a server every
 * statement of the batch names one HTTP session of its own (a temporary table
 * lives in its session only, and a session runs one query at a time, so two
 * batches in flight never share one).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { ClickHouse } from './connect.ts';
import { clientOf, rawInsertOf } from './raw-client.ts';
import { readSql } from './sql.ts';
import { asClickHouseError } from './errors.ts';
import { deduplicated } from './insert.ts';
import type { Params } from './query.ts';

export interface Stage {
  /** A name for one of the batch's tables, unique to it; `create` makes the table from a .sql file taking {table:Identifier}. */
  table(role: string): string;
  create(sqlFile: string, table: string): Promise<void>;
  /** Bytes in the named text format into a table of the batch. */
  insertBytes(table: string, bytes: Buffer, format: 'TSV' | 'JSONEachRow'): Promise<void>;
  run(sqlFile: string, params?: Params, settings?: ClickHouseSettings): Promise<void>;
  /** An INSERT … SELECT into a kept table, under `token` (clickhouse/insert.ts): done again, it loads nothing twice. */
  insertSelect(sqlFile: string, params: Params, token: string): Promise<void>;
  rows<T>(sqlFile: string, params?: Params): Promise<T[]>;
  /** A SELECT read as compact rows (JSONCompactEachRow): one array of values per row, in the query's column order. */
  tuples(sqlFile: string, params?: Params): Promise<unknown[][]>;
  /** Drops every table the batch made. */
  close(): Promise<void>;
}

export function openStage(ch: ClickHouse): Stage {
  const client = clientOf(ch);
  const id = randomUUID().replace(/-/g, '');
  const session = ch.embedded ? {} : { session_id: `stage_${id}` };
  const made: string[] = [];
  const fail = (err: unknown): never => {
    throw asClickHouseError(err);
  };
  const run = async (sqlFile: string, params: Params = {}, settings?: ClickHouseSettings): Promise<void> => {
    await client.command({ query: await readSql(sqlFile), query_params: params, clickhouse_settings: settings, ...session }).catch(fail);
  };
  const read = async (sqlFile: string, params: Params, format: 'JSONEachRow' | 'JSONCompactEachRow'): Promise<string> => {
    try {
      const rs = await client.query({ query: await readSql(sqlFile), query_params: params, format, ...session });
      return await rs.text();
    } catch (err) {
      return fail(err);
    }
  };
  return {
    table: (role) => `stage_${role}_${id}`,
    create: async (sqlFile, table) => {
      await run(sqlFile, { table });
      made.push(table);
    },
    insertBytes: async (table, bytes, format) => {
      if (bytes.length === 0) return;
      const raw = rawInsertOf(ch);
      try {
        if (raw) await raw({ table, values: bytes, format });
        else await client.insert({ table, values: Readable.from([bytes]), format: format === 'TSV' ? 'TabSeparated' : format, ...session });
      } catch (err) {
        fail(err);
      }
    },
    run,
    insertSelect: (sqlFile, params, token) => run(sqlFile, params, deduplicated(token)),
    rows: async <T>(sqlFile: string, params: Params = {}) => {
      const text = await read(sqlFile, params, 'JSONEachRow');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as T);
    },
    tuples: async (sqlFile, params = {}) => {
      // One JSON.parse for the whole answer: its rows are lines, and no JSON value holds a raw line feed.
      const text = (await read(sqlFile, params, 'JSONCompactEachRow')).trimEnd();
      return text === '' ? [] : (JSON.parse(`[${text.replaceAll('\n', ',')}]`) as unknown[][]);
    },
    close: async () => {
      for (const table of made.splice(0)) await run('queries/stage/drop.sql', { table });
    },
  };
}
