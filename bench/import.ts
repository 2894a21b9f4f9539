/**
 * Benchmark: importing an access log end to end, `scalehouse replay` (parse,
 * bots, privacy, sessions, load into the embedded ClickHouse) against
 * GoAccess (Debian's `goaccess`, writing its JSON report) on the same file.
 * Each pair runs three imports one after the other, so all see the same
 * machine: GoAccess, replay with the default program (`auto`: the engine
 * program for replay's 50,000-line batches) and replay with the JavaScript
 * program (the reference, the program before issue 27), each replay into a
 * fresh data folder. Two logs built from the real ones (build-log.ts): one
 * mostly bots' (every line of those logs) and one mostly people's (their
 * human lines), taking turns. Wall time and peak memory (GNU time), medians
 * of the pairs; the share of bots as replay counts it; what the engine
 * program's import left on disk. Writes its section of docs/benchmarks.md.
 *
 *   npm run bench:import         (BENCH_LINES=1000000, BENCH_PAIRS=3)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildHumanLog, buildLog } from './build-log.ts';
import { importSection, type LogResult, type Pair, PROGRAMS, type Program, type Run } from './import-section.ts';
import { tableSizes } from './import-storage.ts';
import { writeSection } from './report.ts';
import { benchTempDir } from './temp-dir.ts';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const dir = benchTempDir('import');

for (const tool of ['/usr/bin/time', '/usr/bin/goaccess']) {
  if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install ${tool.endsWith('time') ? 'time' : 'goaccess'}`);
}

/** Runs a command under GNU time: its wall time, peak resident memory and standard output. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run & { stdout: string } {
  const out = join(dir, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %M', cmd, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(-2000)}`);
  const [seconds, kib] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, peakMiB: kib! / 1024, stdout: r.stdout.toString() };
}

const goaccess = (log: string): Run =>
  timed('/usr/bin/goaccess', [log, '--log-format=COMBINED', '--no-progress', '-o', join(dir, 'report.json')]);

/**
 * `scalehouse replay` of `program` into a fresh data folder; its summary line says how many lines were bots' in
 * the end. The program is always set, so a PROCESSOR_PROGRAM in the caller's environment does not leak in.
 */
function scalehouse(log: string, dataDir: string, program: Program): Run & { bots: number; events: number } {
  rmSync(dataDir, { recursive: true, force: true });
  const run = timed(process.execPath, ['bin/scalehouse.mjs', 'replay', log, '--site', 'bench.example'], {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PROCESSOR_PROGRAM: program,
  });
  // cli/replay-summary.ts: "FILE: N lines → E events, B bots, O opted out, D dead letters in …"
  const m = / (\d+) events, (\d+) bots, /.exec(run.stdout);
  if (!m) throw new Error(`scalehouse replay printed no summary: ${run.stdout.slice(-2000)}`);
  return { seconds: run.seconds, peakMiB: run.peakMiB, events: Number(m[1]), bots: Number(m[2]) };
}

const LOGS = [
  { name: 'mostly bots', file: join(dir, 'access.log'), build: buildLog },
  { name: 'mostly people', file: join(dir, 'human.log'), build: buildHumanLog },
];
const results: LogResult[] = [];
for (const l of LOGS) {
  process.stderr.write(`building the ${l.name} log, ${LINES.toLocaleString()} lines, from ../shared/data/logs…\n`);
  const lines = await l.build(l.file, LINES);
  results.push({ name: l.name, lines, megabytes: statSync(l.file).size / 2 ** 20, pairs: [], botShare: 0, tables: [] });
}
// Each log's and program's data folder; the engine program's is kept for the storage table after the last pair.
const dataDir = (k: number, program: Program) => join(dir, `data-${k}-${program}`);
const figures = (r: Run) => `${r.seconds.toFixed(1)} s, ${r.peakMiB.toFixed(0)} MiB`;
// The logs take turns, so a slower spell of this shared machine falls on both.
for (let i = 0; i < PAIRS; i++) {
  for (const [k, l] of LOGS.entries()) {
    const res = results[k]!;
    const ref = goaccess(l.file);
    const ours = {} as Pair['ours'];
    const counts: string[] = [];
    for (const program of PROGRAMS) {
      const { bots, events, ...run } = scalehouse(l.file, dataDir(k, program), program);
      ours[program] = run;
      counts.push(`${program} ${figures(run)} (${events.toLocaleString()} events, ${bots.toLocaleString()} bots)`);
      if (program === 'auto') res.botShare = bots / res.lines;
      // Only the engine program's folder is measured; the reference's need not wait on the disk.
      else rmSync(dataDir(k, program), { recursive: true, force: true });
    }
    res.pairs.push({ ours, ref } satisfies Pair);
    process.stderr.write(`${l.name}, pair ${i + 1}/${PAIRS}: goaccess ${figures(ref)}; scalehouse ${counts.join('; ')}\n`);
  }
}
for (const [k, res] of results.entries()) res.tables = await tableSizes(dataDir(k, 'auto'));
rmSync(dir, { recursive: true, force: true });

const md = importSection(results, PAIRS);
writeSection('import', md);
process.stdout.write(md);
process.exit(0);
