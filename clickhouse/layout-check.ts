/**
 * Before the migrator changes anything, it checks that the database and the
 * servers fit the layout CLICKHOUSE_CLUSTER asks for. A database migrated for
 * one layout cannot be carried on in the other: its tables' engines are fixed
 * when they are made, so a single server's schema given ON CLUSTER would leave
 * every earlier table on one server, and a cluster's schema migrated without
 * ON CLUSTER would change one replica of many.
 */
import type { ClickHouse } from './connect.ts';
import { selectRows } from './query.ts';

export interface LayoutFacts {
  /** Engine of schema_migrations; null when the database has never been migrated. */
  migrations_engine: string | null;
  /** Shards of the cluster in this server's remote_servers; 0 when it does not define it. */
  shards: number;
  /** The macros this server defines (<macros> in its configuration). */
  macros: string[];
}

export async function readLayoutFacts(ch: ClickHouse, cluster: string): Promise<LayoutFacts> {
  const [facts] = await selectRows<LayoutFacts>(ch, 'schema/layout-facts.sql', { cluster }, { output_format_json_quote_64bit_integers: 0 });
  return facts!;
}

/** What is wrong with migrating `database` for `cluster` ('' = one server), or undefined when nothing is. */
export function layoutProblem(facts: LayoutFacts, cluster: string, database: string, embedded: boolean): string | undefined {
  const replicated = facts.migrations_engine?.startsWith('Replicated') ?? false;
  if (cluster === '') {
    return replicated
      ? `database ${database} was migrated for a ClickHouse cluster (schema_migrations is ${facts.migrations_engine}): set CLICKHOUSE_CLUSTER to that cluster's name, or new migrations would change this server alone`
      : undefined;
  }
  if (embedded)
    return 'CLICKHOUSE_CLUSTER needs ClickHouse servers (CLICKHOUSE_URL): the embedded engine is one process and cannot run ON CLUSTER. Leave CLICKHOUSE_CLUSTER empty, or set CLICKHOUSE_URL';
  if (facts.migrations_engine !== null && !replicated) {
    return `database ${database} was migrated for a single server (schema_migrations is ${facts.migrations_engine}), and its tables cannot become replicated in place: leave CLICKHOUSE_CLUSTER empty, or migrate a new database on the cluster and copy the data into it (docs/scaling.md)`;
  }
  if (facts.shards === 0)
    return `cluster ${cluster} is not in the remote_servers of the ClickHouse server Scalehouse connects to: check CLICKHOUSE_CLUSTER against SELECT DISTINCT cluster FROM system.clusters`;
  if (facts.shards > 1)
    return `cluster ${cluster} has ${facts.shards} shards; Scalehouse's schema is for one shard and its replicas (docs/scaling.md): define a cluster with one <shard> listing every replica`;
  const missing = ['shard', 'replica'].filter((m) => !facts.macros.includes(m));
  if (missing.length)
    return `the ClickHouse server has no macro ${missing.join(' or ')}, which the replicated tables' Keeper paths use: give each server <macros><shard>01</shard><replica>its own name</replica></macros> (docs/scaling.md)`;
  return undefined;
}
