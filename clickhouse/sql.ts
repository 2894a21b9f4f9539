/** Reads a .sql file under clickhouse/ once and caches it: SQL lives in files, never in code. */
import { readFile } from 'node:fs/promises';

const cache = new Map<string, Promise<string>>();

export function readSql(relative: string): Promise<string> {
  let sql = cache.get(relative);
  if (!sql) {
    sql = readFile(new URL(`./${relative}`, import.meta.url), 'utf8');
    cache.set(relative, sql);
  }
  return sql;
}
