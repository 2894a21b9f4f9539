/**
 * Benchmark: importing an access log end to end, `scalehouse replay` (parse,
 * bots, privacy, sessions, load into the embedded ClickHouse) against
 * GoAccess (Debian's `goaccess`, writing its JSON report) on the same file,
 * in pairs, one after the other, so both see the same machine. Wall time and
 * peak memory (GNU time), medians of the pairs. Writes its section of
 * docs/benchmarks.md.
 *
 *   npm run bench:import         (BENCH_LINES=1000000, BENCH_PAIRS=3)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLog } from './build-log.ts';
import { connectClickHouse } from '../clickhouse/connect.ts';
import { clientOf } from '../clickhouse/raw-client.ts';
import { goaccessVersion } from './reference-tools.ts';
import { machine, percentile, writeSection } from './report.ts';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'scalehouse-bench-import-'));
const log = join(dir, 'access.log');

for (const tool of ['/usr/bin/time', '/usr/bin/goaccess']) {
  if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install ${tool.endsWith('time') ? 'time' : 'goaccess'}`);
}

interface Run {
  seconds: number;
  peakMiB: number;
}

/** Runs a command under GNU time: its wall time and peak resident memory. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const out = join(dir, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %M', cmd, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(-2000)}`);
  const [seconds, kib] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, peakMiB: kib! / 1024 };
}

const goaccess = (): Run => timed('/usr/bin/goaccess', [log, '--log-format=COMBINED', '--no-progress', '-o', join(dir, 'report.json')]);

const dataDir = join(dir, 'data');
function scalehouse(): Run {
  rmSync(dataDir, { recursive: true, force: true });
  return timed(process.execPath, ['bin/scalehouse.mjs', 'replay', log, '--site', 'bench.example'], {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  });
}

/** Rows and bytes on disk per table of the last import (after its merges settle), in this process's engine. */
async function storage(): Promise<string[]> {
  const ch = await connectClickHouse({
    CLICKHOUSE_URL: '',
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'scalehouse',
    DATA_DIR: dataDir,
  });
  const c = clientOf(ch);
  await c.command({ query: 'OPTIMIZE TABLE events FINAL' });
  await c.command({ query: 'OPTIMIZE TABLE bot_hits FINAL' });
  const rs = await c.query({
    query: `SELECT table, sum(rows) AS rows, sum(data_compressed_bytes) AS bytes FROM system.parts
            WHERE active AND database = currentDatabase() GROUP BY table HAVING rows > 0 ORDER BY bytes DESC`,
    format: 'JSONEachRow',
  });
  const out = (await rs.json<{ table: string; rows: string; bytes: string }>()).map(
    (r) =>
      `| \`${r.table}\` | ${Number(r.rows).toLocaleString()} | ${(Number(r.bytes) / 2 ** 20).toFixed(1)} MiB | ${(Number(r.bytes) / Number(r.rows)).toFixed(1)} |`,
  );
  await ch.close();
  return out;
}

process.stderr.write(`building a ${LINES.toLocaleString()}-line log from ../shared/data/logs…\n`);
const lines = await buildLog(log, LINES);
const megabytes = statSync(log).size / 2 ** 20;
const pairs: { ours: Run; ref: Run }[] = [];
for (let i = 0; i < PAIRS; i++) {
  const ref = goaccess();
  const ours = scalehouse();
  pairs.push({ ours, ref });
  process.stderr.write(
    `pair ${i + 1}/${PAIRS}: scalehouse ${ours.seconds.toFixed(1)} s, ${ours.peakMiB.toFixed(0)} MiB; goaccess ${ref.seconds.toFixed(1)} s, ${ref.peakMiB.toFixed(0)} MiB\n`,
  );
}
const tables = await storage();
rmSync(dir, { recursive: true, force: true });

const med = (f: (p: { ours: Run; ref: Run }) => number) => percentile(pairs.map(f), 50);
const rate = (s: number) => Math.round(lines / s).toLocaleString();
const ours = { s: med((p) => p.ours.seconds), mib: med((p) => p.ours.peakMiB) };
const ref = { s: med((p) => p.ref.seconds), mib: med((p) => p.ref.peakMiB) };
const ratio = med((p) => p.ref.seconds / p.ours.seconds);

const md = `## Importing an access log: \`scalehouse replay\` against GoAccess

Command: \`npm run bench:import\` (\`bench/import.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
A ${lines.toLocaleString()}-line combined log (${megabytes.toFixed(0)} MiB) built from the real logs in
\`../shared/data/logs\` (\`bench/build-log.ts\`: copies spread over 30 days, each with its own visitors; most
lines are bots', as in those logs). ${PAIRS} pairs, each tool on the same file one after the other; medians.

**Reference**: GoAccess ${goaccessVersion()} (Debian's package), \`--log-format=COMBINED -o report.json\`: parses
and counts, keeps its report in memory. Scalehouse does more per line (bot verdicts by user agent and behaviour,
visitor hashes, sessions, twins) and loads every row into ClickHouse, exactly once.

| | wall time | lines/s | peak memory |
|---|---|---|---|
| \`scalehouse replay\` | ${ours.s.toFixed(1)} s | ${rate(ours.s)} | ${ours.mib.toFixed(0)} MiB |
| GoAccess | ${ref.s.toFixed(1)} s | ${rate(ref.s)} | ${ref.mib.toFixed(0)} MiB |

Scalehouse at ${ratio.toFixed(2)}× GoAccess's speed (median of the pairs' ratios).

On disk after the import (compressed, after \`OPTIMIZE … FINAL\` of the raw tables; the log itself is
${megabytes.toFixed(0)} MiB):

| table | rows | compressed | bytes/row |
|---|---|---|---|
${tables.join('\n')}
`;
writeSection('import', md);
process.stdout.write(md);
