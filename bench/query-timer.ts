/**
 * A ClickHouse handle that times every statement sent through it, named by
 * the .sql file it came from (clickhouse/sql.ts: the same text, read the same
 * way), or `insert TABLE` / `raw insert` for inserts: where a batch program's
 * time goes, statement by statement (bench/batch-programs.ts). The handle is
 * the caller's with its client wrapped; nothing else changes.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { CLIENT, clientOf, RAW_INSERT, type RawInsert, rawInsertOf } from '../clickhouse/raw-client.ts';
import { readSql } from '../clickhouse/sql.ts';

export interface StatementTime {
  calls: number;
  /** Wall time. */
  ms: number;
  /** CPU time of the whole process meanwhile (the embedded engine runs in it): steadier than wall time on a busy machine. */
  cpuMs: number;
}

const ROOT = fileURLToPath(new URL('../clickhouse/', import.meta.url));

/** Every query file under clickhouse/queries, by its text once includes are resolved. */
async function namesByText(): Promise<Map<string, string>> {
  const files = readdirSync(`${ROOT}queries`, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.sql'));
  const names = new Map<string, string>();
  for (const f of files) names.set(await readSql(`queries/${f}`), f.replace(/^stage\//, '').replace(/\.sql$/, ''));
  return names;
}

export async function timedHandle(ch: ClickHouse): Promise<{ ch: ClickHouse; times: Map<string, StatementTime>; reset: () => void }> {
  const names = await namesByText();
  const times = new Map<string, StatementTime>();
  const add = (name: string, ms: number, cpuMs: number) => {
    const t = times.get(name) ?? { calls: 0, ms: 0, cpuMs: 0 };
    t.calls++;
    t.ms += ms;
    t.cpuMs += cpuMs;
    times.set(name, t);
  };
  const nameOf = (query: string) =>
    names.get(query) ?? /^INSERT INTO `?(\w+)/.exec(query)?.[1]?.replace(/^/, 'insert ') ?? query.replace(/\s+/g, ' ').slice(0, 44);
  const timed =
    <A extends unknown[], R>(name: (...args: A) => string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      try {
        return await fn(...args);
      } finally {
        const used = process.cpuUsage(cpu);
        add(name(...args), performance.now() - started, (used.user + used.system) / 1000);
      }
    };
  const client = clientOf(ch);
  type Q = { query: string };
  const wrapped = new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const fn = (value as (...a: unknown[]) => Promise<unknown>).bind(target);
      // The embedded engine runs a query whole before it answers (chdb), so the call's time is the query's.
      if (prop === 'command' || prop === 'exec' || prop === 'query') return timed((p: Q) => nameOf(p.query), fn);
      if (prop === 'insert') return timed((p: { table: string }) => `insert ${p.table}`, fn);
      return fn;
    },
  });
  const raw = rawInsertOf(ch);
  const rawTimed: RawInsert | undefined = raw && timed((_p: Parameters<RawInsert>[0]) => 'raw insert', raw);
  return { ch: { ...ch, [CLIENT]: wrapped, [RAW_INSERT]: rawTimed }, times, reset: () => times.clear() };
}
