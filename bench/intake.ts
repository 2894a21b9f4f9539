/**
 * Benchmark: beacon intake, `POST /api/event` on a running `scalehouse start`
 * (embedded: every 2xx is on disk first, the processor shares the process),
 * against a bare node:http server that reads the body and answers 202 — the
 * ceiling of an HTTP server in Node on this machine. wrk (Debian's) on
 * loopback, 50 connections, a real browser's beacon; pairs, medians. Writes
 * its section of docs/benchmarks.md.
 *
 *   npm run bench:intake          (BENCH_SECONDS=10, BENCH_PAIRS=3)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, percentile, writeSection } from './report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const CONNECTIONS = 50;
if (!existsSync('/usr/bin/wrk')) throw new Error('wrk is missing: apt-get install wrk');

const dir = mkdtempSync(join(tmpdir(), 'scalehouse-bench-intake-'));
const script = join(dir, 'beacon.lua');
const beacon = JSON.stringify({ site: 'bench.example', type: 'pageview', url: 'https://bench.example/pricing', referrer: 'https://www.google.com/' });
writeFileSync(script, `
wrk.method = "POST"
wrk.body = ${JSON.stringify(beacon)}
wrk.headers["Content-Type"] = "text/plain"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status - summary.errors.connect - summary.errors.read - summary.errors.write - summary.errors.timeout
  io.write(string.format("RESULT %d %f %f %f\\n", ok, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`);

interface Result { perSecond: number; p50: number; p99: number }

function wrk(url: string): Result {
  const r = spawnSync('/usr/bin/wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  const m = /RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk gave no result: ${r.stdout}${r.stderr}`);
  return { perSecond: Number(m[1]) / Number(m[2]), p50: Number(m[3]), p99: Number(m[4]) };
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function scalehouse(port: number): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const dataDir = join(dir, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const child = spawn(process.execPath, ['bin/scalehouse.mjs', 'start'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', SYSLOG_PORT: '0', KAFKA_BROKERS: '', SITES: 'bench.example', LOG_LEVEL: 'warn', DASHBOARD_PASSWORD: 'bench-password' },
    stdio: 'ignore',
  });
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  return { child, stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
}

/**
 * The reference: node:http in a process of its own (wrk runs synchronously in this one), reading the
 * whole body and answering 202 with a small JSON body, as Scalehouse does.
 */
const BARE = `
const { createServer } = require('node:http');
createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => { res.writeHead(202, { 'content-type': 'application/json' }); res.end('{"accepted":1}'); });
}).listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('ready'));
`;
async function bare(port: number): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ['-e', BARE, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => child.stdout!.once('data', () => r()));
  return () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); });
}

const pairs: { ours: Result; ref: Result }[] = [];
for (let i = 0; i < PAIRS; i++) {
  const port = 19000 + i * 2;
  const stopBare = await bare(port + 1);
  const ref = wrk(`http://127.0.0.1:${port + 1}/api/event`);
  await stopBare();
  const app = await scalehouse(port);
  const ours = wrk(`http://127.0.0.1:${port}/api/event`);
  await app.stop();
  pairs.push({ ours, ref });
  process.stderr.write(`pair ${i + 1}/${PAIRS}: scalehouse ${ours.perSecond.toFixed(0)}/s p99 ${ours.p99.toFixed(1)} ms; node:http ${ref.perSecond.toFixed(0)}/s p99 ${ref.p99.toFixed(1)} ms\n`);
}
rmSync(dir, { recursive: true, force: true });

const med = (f: (p: { ours: Result; ref: Result }) => number) => percentile(pairs.map(f), 50);
const md = `## Beacon intake: \`POST /api/event\` against a bare node:http server

Command: \`npm run bench:intake\` (\`bench/intake.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
wrk 4 (Debian's) on loopback, 2 threads, ${CONNECTIONS} connections, ${SECONDS} s per run, a Firefox beacon as
\`text/plain\`; ${PAIRS} pairs, medians. Scalehouse is \`scalehouse start\` (embedded): a 202 is sent only once
the hit is on disk (group commit, \`fdatasync\`), and the processor loads ClickHouse in the same process.

**Reference**: node:http reading the body and answering 202, nothing else: the ceiling of a Node HTTP server here.

| | acknowledged/s | p50 | p99 |
|---|---|---|---|
| Scalehouse \`POST /api/event\` | ${med((p) => p.ours.perSecond).toFixed(0)} | ${med((p) => p.ours.p50).toFixed(1)} ms | ${med((p) => p.ours.p99).toFixed(1)} ms |
| bare node:http | ${med((p) => p.ref.perSecond).toFixed(0)} | ${med((p) => p.ref.p50).toFixed(1)} ms | ${med((p) => p.ref.p99).toFixed(1)} ms |

Scalehouse at ${med((p) => p.ours.perSecond / p.ref.perSecond).toFixed(2)}× the bare server's rate (median of the pairs' ratios).
`;
writeSection('intake', md);
process.stdout.write(md);
process.exit(0);
