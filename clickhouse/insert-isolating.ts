/**
 * An insert that loads every row the engine accepts and names the ones it
 * refuses. When the whole insert fails with a data error (errors.ts), no
 * retry can cure it: the rows are loaded in halves, and halves of the half
 * that failed, down to single rows, each part under a token derived from the
 * whole's token and its row range. The same rows always split the same way,
 * so a batch done again after a crash makes the same inserts under the same
 * tokens: parts already loaded are dropped as duplicates (insert.ts), and
 * the same rows come out refused. Any other error is thrown as it is: the
 * batch waits and is tried again.
 *
 * Cost: one insert when nothing is refused; about 2·log2(n) more per refused
 * row. A failure that is not about rows — say a block spanning too many
 * partitions — also ends, with smaller parts that load.
 */
import type { ClickHouse } from './connect.ts';
import { insertRows } from './insert.ts';
import { isDataError } from './errors.ts';

/** A row the engine would not take: its index in the rows given, and the engine's message. */
export interface RefusedRow {
  index: number;
  error: string;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).trim();

export async function insertIsolating(ch: ClickHouse, table: string, rows: object[], token: string): Promise<RefusedRow[]> {
  const refused: RefusedRow[] = [];
  const load = async (from: number, to: number, partToken: string): Promise<void> => {
    try {
      await insertRows(ch, table, rows.slice(from, to), partToken);
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (to - from === 1) {
        refused.push({ index: from, error: messageOf(err) });
        return;
      }
      const mid = (from + to) >>> 1;
      await load(from, mid, `${token}~${from}-${mid}`);
      await load(mid, to, `${token}~${mid}-${to}`);
    }
  };
  if (rows.length > 0) await load(0, rows.length, token);
  return refused;
}
