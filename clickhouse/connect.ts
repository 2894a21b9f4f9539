/**
 * The ClickHouse adapter: one setting (CLICKHOUSE_URL) picks the embedded
 * engine (npm chdb, through @clickhouse/client's `connection` hook) or a
 * ClickHouse server over HTTP. Everything above this file uses the same
 * handle and the same SQL either way; the client object itself stays inside
 * clickhouse/ (raw-client.ts).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../common/config.ts';
import { ScalehouseError, errorMessage } from '../common/errors.ts';
import { DATA_SUBDIRS } from '../common/data-dir.ts';
import { CLIENT, RAW_INSERT, type HasClient, type RawInsert } from './raw-client.ts';
import { readSql } from './sql.ts';

export interface ClickHouse extends HasClient {
  readonly database: string;
  /** Embedded only: the engine's raw insert (clickhouse/stage-session.ts). */
  readonly [RAW_INSERT]?: RawInsert;
  readonly embedded: boolean;
  /** Limits on the dashboards' reads through this handle (withReadLimits). */
  readonly readLimits?: ReadLimits;
  close(): Promise<void>;
}

export interface ReadLimits {
  maxSeconds: number;
  maxMemoryBytes: number;
  maxResultRows: number;
}

/**
 * The same connection, whose dashboard reads (named-query.ts) run read-only
 * and within `limits`: a query over a huge range or filter fails with a clear
 * error instead of running for minutes or taking the machine's memory — and,
 * embedded, instead of holding up loading, which shares the engine.
 */
export const withReadLimits = (ch: ClickHouse, limits: ReadLimits): ClickHouse => ({ ...ch, readLimits: limits });

/**
 * The handle the dashboard reads through. A server applies settings per
 * request, so the same connection with limits will do; the embedded engine
 * keeps a session's settings (readonly=2, max_result_rows…) for every later
 * query of that session, so the dashboard gets a session of its own there,
 * and the pipeline's writes through `ch` stay writable.
 */
export async function dashboardReads(ch: ClickHouse, cfg: ConnectConfig, limits: ReadLimits): Promise<ClickHouse> {
  if (!ch.embedded) return withReadLimits(ch, limits);
  return withReadLimits(await connectEmbedded({ ...cfg, createDatabase: false }), limits);
}

type ConnectConfig = Pick<Config, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE' | 'DATA_DIR'> &
  Partial<Pick<Config, 'CLICKHOUSE_CA_CERT'>> & {
    /** Create the database if missing (default); a user without that right connects to it as it is. */
    createDatabase?: boolean;
  };

export async function connectClickHouse(cfg: ConnectConfig): Promise<ClickHouse> {
  return cfg.CLICKHOUSE_URL ? connectServer(cfg) : connectEmbedded(cfg);
}

const handle = (client: ClickHouseClient, database: string, embedded: boolean): ClickHouse => ({
  [CLIENT]: client,
  database,
  embedded,
  close: () => client.close(),
});

async function createDatabase(client: ClickHouseClient, database: string): Promise<void> {
  await client.command({ query: await readSql('schema/create-database.sql'), query_params: { database } });
}

async function connectEmbedded(cfg: ConnectConfig): Promise<ClickHouse> {
  const path = join(cfg.DATA_DIR, DATA_SUBDIRS.clickhouse);
  await mkdir(path, { recursive: true, mode: 0o700 });
  // Loaded lazily: the engine is a large native library that server mode never needs.
  const { createChdbConnection } = await import('chdb/connection');
  let client: ClickHouseClient;
  let rawInsert: RawInsert;
  try {
    const connection = createChdbConnection({ path });
    rawInsert = (params) => connection.chdb.rawInsert(params);
    // chdb bundles its own copy of the client's Connection type; the shapes are the same.
    client = createClient({
      connection: connection as unknown as Parameters<typeof createClient>[0] extends infer P
        ? P extends { connection?: infer C }
          ? C
          : never
        : never,
    });
    await createDatabase(client, cfg.CLICKHOUSE_DATABASE);
  } catch (err) {
    throw new ScalehouseError(
      `cannot open the embedded ClickHouse engine at ${path}: ${errorMessage(err)}. ` +
        'Only one process can use a data folder: stop the other `scalehouse` using it, or set DATA_DIR.',
      { cause: err },
    );
  }
  await client.command({ query: await readSql('schema/use-database.sql'), query_params: { database: cfg.CLICKHOUSE_DATABASE } });
  return { ...handle(client, cfg.CLICKHOUSE_DATABASE, true), [RAW_INSERT]: rawInsert };
}

async function connectServer(cfg: ConnectConfig): Promise<ClickHouse> {
  // https URLs use TLS; a private CA's certificate can be given to verify the server.
  const tls = cfg.CLICKHOUSE_CA_CERT ? { ca_cert: await readFile(cfg.CLICKHOUSE_CA_CERT) } : undefined;
  const common = {
    url: cfg.CLICKHOUSE_URL,
    username: cfg.CLICKHOUSE_USER,
    password: cfg.CLICKHOUSE_PASSWORD,
    request_timeout: 60_000,
    tls,
  };
  // The database may not exist yet, and a request naming a missing database fails.
  const bootstrap = createClient(common);
  try {
    if (cfg.createDatabase === false)
      await bootstrap.ping().then((r) => {
        if (!r.success) throw r.error;
      });
    else await createDatabase(bootstrap, cfg.CLICKHOUSE_DATABASE);
  } catch (err) {
    throw new ScalehouseError(
      `cannot reach ClickHouse at ${cfg.CLICKHOUSE_URL}: ${errorMessage(err)}. Check CLICKHOUSE_URL, CLICKHOUSE_USER and CLICKHOUSE_PASSWORD.`,
      { retriable: true, cause: err },
    );
  } finally {
    await bootstrap.close();
  }
  const client = createClient({ ...common, database: cfg.CLICKHOUSE_DATABASE });
  return handle(client, cfg.CLICKHOUSE_DATABASE, false);
}
