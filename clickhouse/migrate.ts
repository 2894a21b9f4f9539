/**
 * Applies clickhouse/migrations/NNNN_name.sql once each, in order, and records
 * them in schema_migrations with a checksum: a migration edited after it ran
 * is reported instead of silently diverging. Every statement is idempotent
 * (IF NOT EXISTS), so a run interrupted half-way is simply run again.
 *
 * With a cluster (CLICKHOUSE_CLUSTER) every statement, the migrator's own
 * included, runs as on-cluster.ts makes it: ON CLUSTER, replicated. The
 * checksum stays that of the file, so it does not depend on the layout.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouse } from './connect.ts';
import { insertRows } from './insert.ts';
import { ScalehouseError } from '../common/errors.ts';
import { clickhouseCode } from './errors.ts';
import { layoutProblem, readLayoutFacts } from './layout-check.ts';
import { onCluster } from './on-cluster.ts';
import { command, selectRows, type Params } from './query.ts';
import { clientOf } from './raw-client.ts';
import { readSql } from './sql.ts';

const BAD_ARGUMENTS = 36; // ClickHouse src/Common/ErrorCodes.cpp

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(join(dir, file), 'utf8');
      return { version: Number(file.slice(0, 4)), name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Splits a migration into statements: whole-line comments go, then `;` at a line's end ends one. */
export function splitStatements(sql: string): string[] {
  return sql
    .replace(/^\s*--.*$/gm, '')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

interface MigrateOptions {
  rawRetentionDays?: number;
  dir?: string;
  /** CLICKHOUSE_CLUSTER: '' (the default) for one server. */
  cluster?: string;
}

export async function migrate(ch: ClickHouse, options: MigrateOptions = {}): Promise<string[]> {
  const cluster = options.cluster ?? '';
  const problem = layoutProblem(await readLayoutFacts(ch, cluster), cluster, ch.database, ch.embedded);
  if (problem) throw new ScalehouseError(problem);
  if (cluster) await schemaCommand(ch, cluster, 'schema/create-database.sql', { database: ch.database });
  await schemaCommand(ch, cluster, 'schema/schema_migrations.sql');
  const applied = new Map(
    (await selectRows<{ version: number; checksum: string }>(ch, 'schema/applied-migrations.sql')).map((r) => [
      Number(r.version),
      r.checksum,
    ]),
  );
  const done: string[] = [];
  for (const m of await loadMigrations(options.dir)) {
    const seen = applied.get(m.version);
    if (seen !== undefined) {
      if (seen !== m.checksum)
        throw new ScalehouseError(`migration ${m.name} changed after it was applied; add a new migration instead of editing it`);
      continue;
    }
    for (const statement of splitStatements(m.sql)) await clientOf(ch).command({ query: onCluster(statement, cluster) });
    await insertRows(
      ch,
      'schema_migrations',
      [{ version: m.version, name: m.name, checksum: m.checksum }],
      `migration:${m.version}:${m.checksum}`,
    );
    done.push(m.name);
  }
  if (options.rawRetentionDays !== undefined) await applyRetention(ch, cluster, options.rawRetentionDays);
  return done;
}

/** One of the migrator's own statements (schema/): as it is for one server, ON CLUSTER for a cluster. */
async function schemaCommand(
  ch: ClickHouse,
  cluster: string,
  sqlFile: string,
  params: Params = {},
  settings?: Record<string, number>,
): Promise<void> {
  if (!cluster) return command(ch, sqlFile, params, settings);
  for (const statement of splitStatements(await readSql(sqlFile))) {
    await clientOf(ch).command({ query: onCluster(statement, cluster), query_params: params, clickhouse_settings: settings });
  }
}

/**
 * RAW_RETENTION_DAYS is configuration, not schema: set (or remove) the raw tables' TTL to match it — the human
 * hits, and the bot hits kept as samples (migrations/0016_bot_rollup.sql; the rollups are kept either way).
 */
async function applyRetention(ch: ClickHouse, cluster: string, days: number): Promise<void> {
  for (const table of ['events', 'bot_hit_samples']) {
    try {
      if (days > 0) await schemaCommand(ch, cluster, 'schema/retention-set.sql', { table, days }, { materialize_ttl_after_modify: 0 });
      else await schemaCommand(ch, cluster, 'schema/retention-remove.sql', { table });
    } catch (err) {
      // REMOVE TTL on a table without one is an error (BAD_ARGUMENTS): nothing to do.
      if (!(days === 0 && clickhouseCode(err) === BAD_ARGUMENTS)) throw err;
    }
  }
}
