/**
 * Where two snapshots of the same tables (table-snapshot.ts) differ, said so a person can read
 * it: per table, how many rows each side has and how many only one has, then the first few of
 * those — side by side with only the differing columns where both sides have a row of the same
 * key, else the row whole. Empty when every table is equal.
 */
import type { TableRows } from './table-snapshot.ts';

/** Rows shown per table. */
const SHOWN = 5;

/** The rows of `a` that `b` lacks, counted as a multiset (a row twice in `a`, once in `b`: once). */
function missingFrom(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const r of b) left.set(r, (left.get(r) ?? 0) + 1);
  return a.filter((r) => {
    const n = left.get(r) ?? 0;
    if (n > 0) left.set(r, n - 1);
    return n === 0;
  });
}

const fields = (t: TableRows, row: string): Record<string, unknown> => {
  const values = JSON.parse(row) as unknown[];
  return Object.fromEntries(t.columns.map((c, i) => [c, values[i]]));
};
const keyOf = (t: TableRows, row: Record<string, unknown>) => JSON.stringify(t.key.map((k) => row[k]));
const show = (row: Record<string, unknown>) => JSON.stringify(row);

function describeTable(name: string, t: TableRows, a: string[], b: string[], sides: [string, string]): string[] {
  const onlyA = missingFrom(a, b).map((r) => fields(t, r));
  const onlyB = missingFrom(b, a).map((r) => fields(t, r));
  const lines = [
    `${name} (${t.read}): ${a.length} rows in ${sides[0]}, ${b.length} in ${sides[1]}; ${onlyA.length} only in ${sides[0]}, ${onlyB.length} only in ${sides[1]}`,
  ];
  const byKey = new Map<string, Record<string, unknown>[]>();
  for (const r of onlyB) byKey.set(keyOf(t, r), [...(byKey.get(keyOf(t, r)) ?? []), r]);
  const paired = new Set<Record<string, unknown>>();
  for (const r of onlyA) {
    if (lines.length > SHOWN) break;
    const twin = t.key.length ? byKey.get(keyOf(t, r))?.find((x) => !paired.has(x)) : undefined;
    if (!twin) {
      lines.push(`  only in ${sides[0]}: ${show(r)}`);
      continue;
    }
    paired.add(twin);
    const differ = t.columns.filter((c) => JSON.stringify(r[c]) !== JSON.stringify(twin[c]));
    const key = Object.fromEntries(t.key.map((k) => [k, r[k]]));
    lines.push(
      `  ${show(key)}: ${differ.map((c) => `${c} ${JSON.stringify(r[c])} (${sides[0]}) ≠ ${JSON.stringify(twin[c])} (${sides[1]})`).join(', ')}`,
    );
  }
  for (const r of onlyB.filter((x) => !paired.has(x)).slice(0, Math.max(0, SHOWN + 1 - lines.length)))
    lines.push(`  only in ${sides[1]}: ${show(r)}`);
  return lines;
}

/** What differs between the tables of two databases; `sides` names them in the text. */
export function diffTables(a: Map<string, TableRows>, b: Map<string, TableRows>, sides: [string, string]): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const ta = a.get(name);
    const tb = b.get(name);
    if (!ta || !tb) out.push(`${name}: a table only in ${ta ? sides[0] : sides[1]}`);
    else if (ta.columns.join() !== tb.columns.join()) out.push(`${name}: columns ${ta.columns.join()} ≠ ${tb.columns.join()}`);
    else if (ta.rows.length !== tb.rows.length || ta.rows.some((r, i) => r !== tb.rows[i]))
      out.push(...describeTable(name, ta, ta.rows, tb.rows, sides));
  }
  return out;
}
