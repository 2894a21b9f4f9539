/**
 * Reads a .sql file under clickhouse/ once and caches it: SQL lives in files,
 * never in code. A line that is only `-- @name` is replaced by the file
 * `_name.sql` of the same folder, so conditions shared by several queries
 * (the dashboard filters) are written once.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path/posix';

const cache = new Map<string, Promise<string>>();
const INCLUDE = /^[ \t]*-- @([a-z][a-z0-9-]*)[ \t]*$/gm;

async function load(relative: string): Promise<string> {
  const sql = await readFile(new URL(`./${relative}`, import.meta.url), 'utf8');
  const names = [...new Set([...sql.matchAll(INCLUDE)].map((m) => m[1]!))];
  if (names.length === 0) return sql;
  const dir = dirname(relative);
  const parts = new Map(await Promise.all(names.map(async (n) => [n, (await readSql(`${dir}/_${n}.sql`)).trimEnd()] as const)));
  return sql.replace(INCLUDE, (_, n: string) => parts.get(n)!);
}

export function readSql(relative: string): Promise<string> {
  let sql = cache.get(relative);
  if (!sql) {
    sql = load(relative);
    cache.set(relative, sql);
  }
  return sql;
}
