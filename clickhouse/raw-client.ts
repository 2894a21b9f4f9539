/**
 * The raw @clickhouse/client object behind a ClickHouse handle. Product code
 * outside clickhouse/ never sees it: it reads and writes through query.ts,
 * insert.ts and named-query.ts, with SQL from .sql files. Tests and
 * benchmarks may use it to look at tables directly (tests/unit/import-rules
 * checks that no one else imports this file).
 */
import type { ClickHouseClient } from '@clickhouse/client';

export const CLIENT = Symbol('the @clickhouse/client object');

export interface HasClient {
  readonly [CLIENT]: ClickHouseClient;
}

export const clientOf = (ch: HasClient): ClickHouseClient => ch[CLIENT];

/** chdb's raw insert (a Buffer handed to the engine as it is), on handles of the embedded engine only. */
export const RAW_INSERT = Symbol('the embedded engine raw insert');

export type RawInsert = (params: { table: string; values: Buffer; format: 'TSV' | 'JSONEachRow' }) => Promise<unknown>;

export const rawInsertOf = (ch: HasClient & { readonly [RAW_INSERT]?: RawInsert }): RawInsert | undefined => ch[RAW_INSERT];
