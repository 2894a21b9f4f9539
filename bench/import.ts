/**
 * Benchmark: importing an access log end to end, `scalehouse replay` (parse,
 * bots, privacy, sessions, load into the embedded ClickHouse) against
 * GoAccess (Debian's `goaccess`, writing its JSON report) on the same file,
 * in pairs, one after the other, so both see the same machine. Two logs built
 * from the real ones (build-log.ts): one mostly bots' (every line of those
 * logs) and one mostly people's (their human lines), taking turns. Wall time
 * and peak memory (GNU time), medians of the pairs; the share of bots as
 * replay counts it. Writes its section of docs/benchmarks.md.
 *
 *   npm run bench:import         (BENCH_LINES=1000000, BENCH_PAIRS=3)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildHumanLog, buildLog } from './build-log.ts';
import { importSection, type LogResult, type Pair, type Run } from './import-section.ts';
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

/** `scalehouse replay` into a fresh data folder; its summary line says how many lines were bots' in the end. */
function scalehouse(log: string, dataDir: string): Run & { bots: number; events: number } {
  rmSync(dataDir, { recursive: true, force: true });
  const run = timed(process.execPath, ['bin/scalehouse.mjs', 'replay', log, '--site', 'bench.example'], {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
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
// The logs take turns, so a slower spell of this shared machine falls on both.
for (let i = 0; i < PAIRS; i++) {
  for (const [k, l] of LOGS.entries()) {
    const res = results[k]!;
    const ref = goaccess(l.file);
    const { bots, events, ...ours } = scalehouse(l.file, join(dir, `data-${k}`));
    res.pairs.push({ ours, ref } satisfies Pair);
    res.botShare = bots / res.lines;
    process.stderr.write(
      `${l.name}, pair ${i + 1}/${PAIRS}: scalehouse ${ours.seconds.toFixed(1)} s, ${ours.peakMiB.toFixed(0)} MiB ` +
        `(${events.toLocaleString()} events, ${bots.toLocaleString()} bots: ${(100 * res.botShare).toFixed(1)}% of the lines); ` +
        `goaccess ${ref.seconds.toFixed(1)} s, ${ref.peakMiB.toFixed(0)} MiB\n`,
    );
  }
}
for (const [k, res] of results.entries()) res.tables = await tableSizes(join(dir, `data-${k}`));
rmSync(dir, { recursive: true, force: true });

const md = importSection(results, PAIRS);
writeSection('import', md);
process.stdout.write(md);
process.exit(0);
