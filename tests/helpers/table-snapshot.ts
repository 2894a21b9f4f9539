/**
 * Every table of a database as rows that can be compared with another's, for the differential
 * test of the batch programs (tests/integration/engine-program.test.ts). The tables are read
 * from system.tables, so a table added by a migration is compared without anyone listing it.
 * How a table is read follows from its engine, since merges happen whenever the engine likes:
 * a SummingMergeTree summed per key (and keys whose sums are all 0 left out, as a merge drops
 * them), a ReplacingMergeTree read with FINAL, any other table row for row. Columns the wall
 * clock fills (a `now()` default, a dead letter's `ts`, a count's `minute`) are left out.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';

/** Tables not compared, and why. */
export const NOT_COMPARED: Record<string, string> = {
  schema_migrations: 'what migrate() applied, the same migrations on both; applied_at is the wall clock',
  visitor_salts: 'secrets the test seeds alike on both engines (tests/helpers/seeded-salts.ts)',
  replay_seeds: 'the seed of the salts of days not kept, seeded alike on both engines',
  user_agents:
    "the engine program's memory of each distinct user agent (the JavaScript program keeps its own in a cache): it changes no count",
  referrer_hosts: "the engine program's memory of each distinct referrer host, like user_agents",
  user_agent_values: 'the dictionary over user_agents (migration 0018): the same memory, as the engine reads it',
  referrer_host_values: 'the dictionary over referrer_hosts, like user_agent_values',
};

/** Columns the wall clock fills, beside those with a now() default. */
const CLOCK_COLUMNS: Record<string, string[]> = { dead_letters: ['ts'], pipeline_stats: ['minute'], moved_batches: ['ts'] };

export interface TableRows {
  /** How it was read: 'rows', 'FINAL' or 'summed per key'. */
  read: string;
  columns: string[];
  /** The columns that name a row (of the sorting key): rows with the same key are shown side by side in a diff. */
  key: string[];
  /** Each row as JSON of its values in `columns` order (maps with their keys sorted), sorted. */
  rows: string[];
}

interface TableInfo {
  name: string;
  engine: string;
  sorting_key: string;
}
interface ColumnInfo {
  table: string;
  name: string;
  type: string;
  default_expression: string;
}

const select = async <T>(ch: ClickHouse, query: string): Promise<T[]> =>
  (await clientOf(ch).query({ query, format: 'JSONEachRow' })).json<T>();

const quote = (name: string) => `\`${name.replace(/`/g, '\\`')}\``;
const isNumber = (type: string) => /^(U?Int|Float|Decimal)/.test(type);

/** JSON with object keys sorted: a Map column's pairs in any order are the same map. */
const canonical = (value: unknown): unknown =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => [k, canonical(v)]),
      )
    : Array.isArray(value)
      ? value.map(canonical)
      : value;

/** The query that reads `t` comparably, and how. */
function readQuery(t: TableInfo, columns: ColumnInfo[], key: string[]): { query: string; read: string } {
  const names = columns.map((c) => quote(c.name)).join(', ');
  if (t.engine === 'SummingMergeTree') {
    const summed = columns.filter((c) => isNumber(c.type) && !key.includes(c.name));
    const group = columns.filter((c) => !summed.includes(c));
    const sums = summed.map((c) => `sum(${quote(c.name)}) AS ${quote(c.name)}`);
    // Sums are of the column's type: a UInt64 taken back by a negative row wraps around to its true total.
    const query = `SELECT ${names} FROM (SELECT ${[...group.map((c) => quote(c.name)), ...sums].join(', ')} FROM ${quote(t.name)}
      GROUP BY ${group.map((c) => quote(c.name)).join(', ') || 'tuple()'} HAVING ${summed.map((c) => `${quote(c.name)} != 0`).join(' OR ') || '1'})`;
    return { query, read: 'summed per key' };
  }
  const final = t.engine.startsWith('Replacing') ? ' FINAL' : '';
  return { query: `SELECT ${names} FROM ${quote(t.name)}${final}`, read: final ? 'FINAL' : 'rows' };
}

/** Every table the processor could write, by name, read as TableRows. */
export async function snapshotTables(ch: ClickHouse): Promise<Map<string, TableRows>> {
  const tables = await select<TableInfo>(
    ch,
    // Views store nothing of their own (their TO tables are compared); a Null table stores nothing.
    `SELECT name, engine, sorting_key FROM system.tables
     WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView', 'View', 'Null') AND NOT startsWith(name, '.inner')
     ORDER BY name`,
  );
  const columns = await select<ColumnInfo>(
    ch,
    'SELECT table, name, type, default_expression FROM system.columns WHERE database = currentDatabase() ORDER BY table, position',
  );
  const out = new Map<string, TableRows>();
  for (const t of tables.filter((t) => !(t.name in NOT_COMPARED))) {
    const clock = CLOCK_COLUMNS[t.name] ?? [];
    const own = columns.filter((c) => c.table === t.name && !clock.includes(c.name) && !/\bnow(64)?\(/.test(c.default_expression));
    const key = t.sorting_key.split(', ').filter((k) => own.some((c) => c.name === k));
    const { query, read } = readQuery(t, own, key);
    const rows = (await select<Record<string, unknown>>(ch, query)).map((r) => JSON.stringify(own.map((c) => canonical(r[c.name]))));
    out.set(t.name, { read, columns: own.map((c) => c.name), key, rows: rows.sort() });
  }
  return out;
}
