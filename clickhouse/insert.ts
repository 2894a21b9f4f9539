/**
 * Every insert Scalehouse makes goes through here, with a deduplication token.
 * ClickHouse remembers recent tokens per table (non_replicated_deduplication_window)
 * and silently drops a block whose token it has seen, so a batch redelivered
 * after a crash is not counted twice — in the table and, with
 * deduplicate_blocks_in_dependent_materialized_views, in every rollup.
 * A token is required, never optional: the embedded engine keeps settings for
 * the session, so an insert without one would reuse the previous token and be
 * dropped as a duplicate.
 */
import type { ClickHouse } from './connect.ts';
import { clientOf } from './raw-client.ts';
import { command, type Params } from './query.ts';
import { asClickHouseError } from './errors.ts';

/** The settings every insert runs with: its deduplication token, for the table and the views it feeds. */
export const deduplicated = (token: string) =>
  ({
    insert_deduplicate: 1,
    insert_deduplication_token: token,
    deduplicate_blocks_in_dependent_materialized_views: 1,
    // Replayed history spans many days, and events are partitioned by day.
    max_partitions_per_insert_block: '1000',
    async_insert: 0,
  }) as const;

/** The same settings as a SETTINGS clause of the statement itself. */
const settingsClause = (token: string): string =>
  Object.entries(deduplicated(token))
    .map(([k, v]) => `${k} = ${typeof v === 'number' ? v : `'${String(v).replace(/[\\']/g, (ch) => `\\${ch}`)}'`}`)
    .join(', ');

const identifier = (name: string): string => `\`${name.replace(/[\\`]/g, (ch) => `\\${ch}`)}\``;

export async function insertRows(ch: ClickHouse, table: string, rows: object[], token: string): Promise<void> {
  if (rows.length === 0) return;
  // Compact rows with the columns named once: a third less for the engine to read than one object
  // per row. Every row of an insert comes from one row builder (processor/load/rows.ts), so all
  // share the first row's columns, in its order. Times are written as clickhouse/time.ts makes
  // them, which the plain parser reads.
  const columns = Object.keys(rows[0]!);
  const body = rows.map((r) => JSON.stringify(columns.map((c) => (r as Record<string, unknown>)[c]))).join('\n');
  // One statement with its settings in it and the rows inline, as ClickHouse takes it over HTTP
  // too. Through the client's insert() with settings, the embedded engine runs `SET …; SET …;
  // INSERT …` as a script, and splitting the script reads through every row: inserts took twice
  // as long (docs/benchmarks.md, import).
  await clientOf(ch)
    .command({
      query: `INSERT INTO ${identifier(table)} (${columns.map(identifier).join(', ')}) SETTINGS ${settingsClause(`${token}:${table}`)} FORMAT JSONCompactEachRow\n${body}`,
    })
    .catch((err: unknown) => {
      throw asClickHouseError(err);
    });
}

/** An INSERT … SELECT from `sqlFile` (relative to clickhouse/) with bound parameters, under `token` like every insert. */
export async function insertSelect(ch: ClickHouse, sqlFile: string, params: Params, token: string): Promise<void> {
  await command(ch, sqlFile, params, deduplicated(token));
}
