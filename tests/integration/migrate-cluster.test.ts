/**
 * The migrations for a cluster (CLICKHOUSE_CLUSTER), put to the real engine as
 * far as the embedded engine can take them.
 *
 * What the embedded engine (chdb 3.4, ClickHouse 26.7) cannot do, tried here
 * on 2026-12-03: it refuses every ON CLUSTER statement ("Replicated DDL
 * queries are disabled", code 392, even with <remote_servers> and
 * <distributed_ddl> in its configuration); it has no Keeper of its own; given
 * an Apache ZooKeeper 3.9.5 server it creates a ReplicatedMergeTree table and
 * registers it there, but the replica stays read-only (replica_is_active 0)
 * and an insert waits forever; a Replicated database asks for an interserver
 * port it never opens. So no replicated table is written to, no ON CLUSTER
 * statement runs, and replication and deduplication across replicas are not
 * tested anywhere in this project.
 *
 * What is tested, on this engine with a configuration that declares a cluster
 * of one shard and two replicas and the macros a server of it would have:
 * - every statement the migrator would send to a cluster parses in the real
 *   parser (formatQuerySingleLine), which reads it as the one-server statement
 *   plus ON CLUSTER and the replicated engine, and nothing else;
 * - every replicated table's CREATE, as each server runs it (the ON CLUSTER
 *   initiator gives every server the table's UUID), gets through the engine's
 *   checks of columns, engine arguments, settings and macros, and stops only
 *   for want of Keeper (NO_ZOOKEEPER, code 225);
 * - the facts the migrator checks before it starts are read right from the
 *   engine's configuration, and migrate() refuses a cluster on the embedded engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { tempDir } from '../helpers/temp-dir.ts';
import { join } from 'node:path';
import { connectClickHouse, type ClickHouse } from '../../clickhouse/connect.ts';
import { clickhouseCode } from '../../clickhouse/errors.ts';
import { readLayoutFacts } from '../../clickhouse/layout-check.ts';
import { loadMigrations, migrate, splitStatements } from '../../clickhouse/migrate.ts';
import { onCluster } from '../../clickhouse/on-cluster.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { rows } from '../helpers/clickhouse.ts';

const NO_ZOOKEEPER = 225; // ClickHouse src/Common/ErrorCodes.cpp
const SCHEMA = ['create-database.sql', 'schema_migrations.sql', 'retention-set.sql', 'retention-remove.sql'].map((f) => ({
  name: `schema/${f}`,
  sql: readFileSync(new URL(`../../clickhouse/schema/${f}`, import.meta.url), 'utf8'),
}));
const ALL = [...(await loadMigrations()), ...SCHEMA];

/** What docs/scaling.md asks of each server: the cluster in remote_servers, and its shard and replica macros. */
const CONFIG = `<clickhouse>
  <remote_servers>
    <scalehouse><shard><internal_replication>true</internal_replication>
      <replica><host>ch1.internal</host><port>9000</port></replica>
      <replica><host>ch2.internal</host><port>9000</port></replica>
    </shard></scalehouse>
    <sharded>
      <shard><replica><host>ch1.internal</host><port>9000</port></replica></shard>
      <shard><replica><host>ch2.internal</host><port>9000</port></replica></shard>
    </sharded>
  </remote_servers>
  <macros><shard>01</shard><replica>ch1</replica></macros>
</clickhouse>`;

let ch: ClickHouse;
let session: { close(): void };

beforeAll(async () => {
  const dir = tempDir('cluster');
  writeFileSync(join(dir, 'config.xml'), CONFIG);
  mkdirSync(join(dir, 'clickhouse'));
  // The first session of the process sets the engine up, with this configuration; the handle below shares it.
  const { Session } = createRequire(import.meta.url)('chdb') as { Session: new (path: string, opts: object) => { close(): void } };
  session = new Session(join(dir, 'clickhouse'), { connectionArgs: [`--config-file=${join(dir, 'config.xml')}`] });
  ch = await connectClickHouse({
    CLICKHOUSE_URL: '',
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: `t_${randomUUID().replace(/-/g, '')}`,
    DATA_DIR: dir,
  });
});
afterAll(async () => {
  await ch?.close();
  session?.close();
});

const format = async (query: string): Promise<string> =>
  (await rows<{ f: string }>(ch, 'SELECT formatQuerySingleLine({q:String}) AS f', { q: query }))[0]!.f;

/** A formatted cluster statement with ON CLUSTER and the replicated engine taken out again. */
const asOneServer = (formatted: string) =>
  formatted
    .replace(' ON CLUSTER scalehouse', '')
    .replace(/Replicated(\w*)MergeTree\('\/clickhouse\/tables\/\{uuid\}\/\{shard\}', '\{replica\}'\)/, '$1MergeTree')
    .replace(/Replicated(\w*)MergeTree\('\/clickhouse\/tables\/\{uuid\}\/\{shard\}', '\{replica\}', /, '$1MergeTree(')
    .replace(
      /replicated_deduplication_window = (\d+), replicated_deduplication_window_seconds = 604800/,
      'non_replicated_deduplication_window = $1',
    );

describe('migrations for a cluster, in the real engine', () => {
  it.each(ALL.map((m) => [m.name, m.sql]))(
    '%s: the parser reads each statement as the one-server statement, ON CLUSTER and replicated',
    async (_, sql) => {
      for (const statement of splitStatements(sql)) {
        const cluster = await format(onCluster(statement, 'scalehouse'));
        const single = await format(statement);
        expect(asOneServer(cluster)).toBe(single);
        if (/^(CREATE|ALTER|DROP|RENAME)/.test(single)) expect(cluster).toContain(' ON CLUSTER scalehouse');
        if (/ENGINE = \w*MergeTree/.test(single))
          expect(cluster).toMatch(/ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/\{uuid\}\/\{shard\}', '\{replica\}'/);
      }
    },
  );

  it('checks every replicated table as each server would create it, up to the missing Keeper', async () => {
    await clientOf(ch).command({ query: 'CREATE DATABASE IF NOT EXISTS replicated_check' });
    const creates = ALL.flatMap((m) => splitStatements(m.sql).map((s) => [m.name, onCluster(s, 'scalehouse')] as const)).filter(([, s]) =>
      /^CREATE TABLE[\s\S]*ENGINE = Replicated/.test(s),
    );
    expect(creates.length).toBeGreaterThanOrEqual(17); // 0001–0013 make 16 tables (some twice), and schema_migrations
    const outcome = async (statement: string) => {
      // What the ON CLUSTER initiator sends each server: the table with the UUID it chose, in the database it named.
      const query = statement.replace(
        /^CREATE TABLE (IF NOT EXISTS )?(\w+) ON CLUSTER scalehouse/,
        (_, ifNot: string | undefined, name: string) => `CREATE TABLE ${ifNot ?? ''}replicated_check.${name} UUID '${randomUUID()}'`,
      );
      expect(query).not.toContain('ON CLUSTER');
      try {
        await clientOf(ch).command({ query });
        return 'created';
      } catch (err) {
        return clickhouseCode(err) === NO_ZOOKEEPER ? 'needs Keeper' : `refused: ${String(err).slice(0, 300)}`;
      }
    };
    for (const [name, statement] of creates) expect(`${name}: ${await outcome(statement)}`).toBe(`${name}: needs Keeper`);
    // The engine's checks can fail: a version column that does not exist is refused before Keeper is asked for.
    const sessions = creates.find(([, s]) => /ReplicatedReplacingMergeTree\([^)]*version, is_deleted\)/.test(s))![1];
    expect(await outcome(sessions.replace('version, is_deleted)', 'version, no_such_column)'))).toMatch(/^refused: .*no_such_column/);
  });

  it("reads the cluster, its shards and the macros from the server's configuration", async () => {
    expect(await readLayoutFacts(ch, 'scalehouse')).toEqual({ migrations_engine: null, shards: 1, macros: ['replica', 'shard'] });
    expect((await readLayoutFacts(ch, 'sharded')).shards).toBe(2);
    expect((await readLayoutFacts(ch, 'elsewhere')).shards).toBe(0);
  });

  it('refuses a cluster on the embedded engine before changing anything, and migrates it as one server', async () => {
    await expect(migrate(ch, { cluster: 'scalehouse' })).rejects.toThrow(/CLICKHOUSE_CLUSTER needs ClickHouse servers \(CLICKHOUSE_URL\)/);
    expect(await rows(ch, 'SELECT name FROM system.tables WHERE database = currentDatabase()')).toEqual([]);
    expect((await migrate(ch, { rawRetentionDays: 0 })).length).toBe(ALL.length - SCHEMA.length);
    // What a server would be refused a cluster for, once migrated as one server (tests/unit/layout-check.test.ts).
    expect((await readLayoutFacts(ch, 'scalehouse')).migrations_engine).toBe('ReplacingMergeTree');
  });
});
