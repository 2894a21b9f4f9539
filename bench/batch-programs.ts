/**
 * Benchmark: the two batch programs (processor/batch/batch-handler.ts) side by
 * side on the live path's batches — bus records as the collector puts them
 * (common/hit.ts's logHit, addresses made pseudonyms, encodeHit), in batches
 * of 5,000 (a busy live stream's batch, and the bus's largest before BATCH_MAX_HITS became 50,000) and of replay's 50,000 — on a mostly-bot
 * and a mostly-people log built from the real ones (build-log.ts). Each pair
 * runs the JavaScript program, then the engine program, each on a fresh
 * database of one embedded engine; medians of the pairs and their ratio, by
 * wall time and by the process's CPU time (the engine runs in the process;
 * CPU time is the steadier figure on a machine shared with other work). Then
 * one more pass of each at 5,000 with every statement timed
 * (query-timer.ts): where a batch's time goes, per batch. Prints only.
 *
 *   npm run bench:batch-programs    (BENCH_LINES=100000, BENCH_PAIRS=3, BENCH_BATCHES=5000,50000)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BusBatch, BusRecord } from '../bus/bus.ts';
import { type ClickHouse, connectClickHouse } from '../clickhouse/connect.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { encodeHit, logHit } from '../common/hit.ts';
import { pseudonymiser } from '../common/pseudonym.ts';
import { createBatchHandler, type Program } from '../processor/batch/batch-handler.ts';
import { parseTimeLocal } from '../processor/parsers/combined-line.ts';
import { HostStore } from '../processor/state/host-store.ts';
import { seededSalts } from '../tests/helpers/seeded-salts.ts';
import { buildHumanLog, buildLog } from './build-log.ts';
import { type StatementTime, timedHandle } from './query-timer.ts';
import { benchTempDir } from './temp-dir.ts';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const SIZES = (process.env.BENCH_BATCHES ?? '5000,50000').split(',').map(Number);
const SITE = 'bench.example';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = benchTempDir('batch-programs');

/** A fresh migrated database of the bench's one engine (the engine binds one data folder per process). */
const freshDatabase = async (): Promise<ClickHouse> => {
  const ch = await connectClickHouse({
    CLICKHOUSE_URL: '',
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    DATA_DIR: join(dir, 'data'),
    CLICKHOUSE_DATABASE: `b_${randomUUID().replace(/-/g, '')}`,
  });
  await migrate(ch, { rawRetentionDays: 0 });
  return ch;
};

/** The log's lines as a collector puts them on a bus: each a second after it was logged, its address a pseudonym. */
async function busRecords(file: string): Promise<BusRecord[]> {
  const ch = await freshDatabase();
  const salts = await seededSalts(ch);
  await ch.close();
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.map((line, offset) => {
    const receivedAt = parseTimeLocal(line.slice(line.indexOf('[') + 1, line.indexOf(']'))) + 1000;
    const pseudonymise = pseudonymiser(salts.saltFor, () => receivedAt);
    const hit = pseudonymise.hit(logHit(SITE, line, { receivedAt, client: '192.0.2.9' }));
    return { value: encodeHit(hit), position: `bench@${offset}`, offset };
  });
}

const batchesOf = (records: BusRecord[], size: number): BusBatch[] =>
  Array.from({ length: Math.ceil(records.length / size) }, (_, i) => {
    const part = records.slice(i * size, (i + 1) * size);
    return { stream: 'bench', records: part, token: `bench:${part[0]!.offset}-${part.at(-1)!.offset}`, end: part.at(-1)!.offset + 1 };
  });

/** One program over the batches on a fresh database: seconds, and each statement's time when `timed`. */
async function run(
  program: Program,
  batches: BusBatch[],
  timed = false,
): Promise<{ seconds: number; cpuSeconds: number; times?: Map<string, StatementTime> }> {
  const fresh = await freshDatabase();
  const salts = await seededSalts(fresh);
  const t = timed ? await timedHandle(fresh) : undefined;
  const ch = t?.ch ?? fresh;
  const { handle } = createBatchHandler({ ch, salts, hosts: new HostStore(ch), sessionTimeoutMs: 30 * 60_000, program });
  t?.reset();
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const batch of batches) await handle(batch);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await fresh.close();
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, times: t?.times };
}

function printTimes(label: string, times: Map<string, StatementTime>, batches: number): void {
  const per = (ms: number) => (ms / batches).toFixed(1).padStart(7);
  const all = [...times.values()];
  const [wall, cpu] = [all.reduce((s, t) => s + t.ms, 0), all.reduce((s, t) => s + t.cpuMs, 0)];
  console.log(`  ${label}: statements ${per(wall)} ms wall, ${per(cpu)} ms CPU a batch, ${batches} batches`);
  for (const [name, t] of [...times].sort((a, b) => b[1].cpuMs - a[1].cpuMs))
    console.log(`    ${name.padEnd(40)} ${(t.calls / batches).toFixed(1).padStart(5)} calls ${per(t.ms)} ms wall ${per(t.cpuMs)} ms CPU`);
}

try {
  const logs = [
    { name: 'mostly bots', file: join(dir, 'bots.log'), build: buildLog },
    { name: 'mostly people', file: join(dir, 'people.log'), build: buildHumanLog },
  ];
  for (const l of logs) {
    await l.build(l.file, LINES);
    const records = await busRecords(l.file);
    console.log(`${l.name}: ${records.length.toLocaleString('en')} records, ${PAIRS} pairs (medians)`);
    for (const size of PAIRS > 0 ? SIZES : []) {
      const batches = batchesOf(records, size);
      const runs = { javascript: [] as { seconds: number; cpuSeconds: number }[], engine: [] as { seconds: number; cpuSeconds: number }[] };
      for (let pair = 0; pair < PAIRS; pair++) {
        runs.javascript.push(await run('javascript', batches));
        runs.engine.push(await run('engine', batches));
      }
      const rate = (s: number) => Math.round(records.length / s).toLocaleString('en');
      for (const by of ['seconds', 'cpuSeconds'] as const) {
        const [js, engine] = [runs.javascript.map((r) => r[by]), runs.engine.map((r) => r[by])];
        const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
        console.log(
          `  batches of ${size.toLocaleString('en')}, ${by === 'seconds' ? 'wall' : 'CPU '}: javascript ${rate(median(js))} lines/s, ` +
            `engine ${rate(median(engine))} lines/s, engine/javascript ${(median(js) / median(engine)).toFixed(2)}×, ` +
            `pairs ${js.filter((s, i) => engine[i]! < s).length}/${PAIRS} engine faster   (s: js ${list(js)}; engine ${list(engine)})`,
        );
      }
    }
    const batches = batchesOf(records, SIZES[0]!);
    for (const program of ['javascript', 'engine'] as const) {
      const { seconds, cpuSeconds, times } = await run(program, batches, true);
      const perBatch = (s: number) => ((s * 1000) / batches.length).toFixed(1);
      printTimes(
        `${program} at ${SIZES[0]} (in all ${perBatch(seconds)} ms wall, ${perBatch(cpuSeconds)} ms CPU a batch)`,
        times!,
        batches.length,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
