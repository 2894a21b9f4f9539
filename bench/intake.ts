/**
 * Benchmark: beacon intake, `POST /api/event` on a running `scalehouse start`
 * (embedded: every 2xx is on disk first, the processor shares the process),
 * against a bare node:http server that reads the body and answers 202 — the
 * ceiling of an HTTP server in Node on this machine. wrk (Debian's) on
 * loopback, 50 connections, a real browser's beacon: once all from one visitor
 * (a flood), once each from another address (many visitors), while a probe
 * measures freshness (a beacon's 2xx until the dashboard API shows it); pairs,
 * medians. Writes its section of docs/benchmarks.md.
 *
 *   npm run bench:intake          (BENCH_SECONDS=10, BENCH_PAIRS=3)
 *
 * BENCH_BASELINE=<another checkout> (built: `npm run build` there) runs that
 * checkout's `scalehouse start` too in every pair, right after this one's,
 * and prints both; docs/benchmarks.md is then left as it is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashboardLogin } from './reference-tools.ts';
import { machine, percentile, writeSection } from './report.ts';
import { startScalehouse } from './start-scalehouse.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const CONNECTIONS = 50;
const BASELINE = process.env.BENCH_BASELINE || undefined;
if (!existsSync('/usr/bin/wrk')) throw new Error('wrk is missing: apt-get install wrk');

const dir = mkdtempSync(join(tmpdir(), 'scalehouse-bench-intake-'));
const beacon = JSON.stringify({
  site: 'bench.example',
  type: 'pageview',
  url: 'https://bench.example/pricing',
  referrer: 'https://www.google.com/',
});
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
/** wrk's script: one beacon; with `manyVisitors`, each request from another address (X-Forwarded-For, a trusted proxy). */
const wrkScript = (manyVisitors: boolean) => `
wrk.method = "POST"
wrk.body = ${JSON.stringify(beacon)}
wrk.headers["Content-Type"] = "text/plain"
wrk.headers["User-Agent"] = "${FIREFOX}"
${
  manyVisitors
    ? `request = function()
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format()
end`
    : ''
}
done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status - summary.errors.connect - summary.errors.read - summary.errors.write - summary.errors.timeout
  io.write(string.format("RESULT %d %f %f %f\\n", ok, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
const FLOOD = join(dir, 'flood.lua');
const MANY = join(dir, 'many.lua');
writeFileSync(FLOOD, wrkScript(false));
writeFileSync(MANY, wrkScript(true));

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs wrk (in a process of its own, so probes in this one go on meanwhile). */
async function wrk(url: string, script: string): Promise<Result> {
  const child = spawn('/usr/bin/wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise((r) => child.once('exit', r));
  const m = /RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out);
  if (!m) throw new Error(`wrk gave no result: ${out}`);
  return { perSecond: Number(m[1]) / Number(m[2]), p50: Number(m[3]), p99: Number(m[4]) };
}

/**
 * Freshness while `until` is pending: every 250 ms a custom event with a name of its own, timed from its
 * 2xx until the dashboard API (custom-events, logged in) counts it; polled every 10 ms. The ms of each.
 */
async function probeFreshness(base: string, until: Promise<unknown>): Promise<number[]> {
  const cookie = await dashboardLogin(base, 'bench-password');
  let done = false;
  void until.then(() => (done = true));
  const samples: number[] = [];
  for (let k = 0; !done; k++) {
    const name = `fresh-${Date.now()}-${k}`;
    const sent = Date.now();
    const res = await fetch(`${base}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': FIREFOX, 'x-forwarded-for': '192.0.2.1' },
      body: JSON.stringify({ site: 'bench.example', type: 'event', name, url: 'https://bench.example/probe' }),
    });
    if (res.status !== 202) throw new Error(`probe beacon refused: ${res.status} ${await res.text()}`);
    const acked = performance.now();
    const query = `${base}/api/stats/custom-events?site=bench.example&from=${sent - 60_000}&to=${sent + 60_000}&limit=1000`;
    for (;;) {
      const body = (await (await fetch(query, { headers: { cookie } })).json()) as { data: { value: string }[] };
      if (body.data.some((r) => r.value === name)) break;
      if (performance.now() - acked > 30_000) throw new Error(`probe ${name} not visible after 30 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    samples.push(performance.now() - acked);
    await new Promise((r) => setTimeout(r, 250));
  }
  return samples;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function scalehouse(port: number, checkout?: string): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const dataDir = join(dir, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const child = startScalehouse({ dataDir, port, checkout, env: { SITES: 'bench.example', TRUSTED_PROXIES: '127.0.0.1' } });
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  return {
    child,
    stop: () =>
      new Promise((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
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
  return () =>
    new Promise((r) => {
      child.once('exit', () => r());
      child.kill('SIGTERM');
    });
}

interface Side {
  flood: Result;
  many: Result;
  idleFresh: number[];
  loadFresh: number[];
}
interface Run extends Side {
  ref: Result;
  baseline?: Side;
}

/** One `scalehouse start` (this checkout's, or `checkout`'s): idle freshness, the flood, many visitors with freshness. */
async function measure(port: number, checkout?: string): Promise<Side> {
  const app = await scalehouse(port, checkout);
  const base = `http://127.0.0.1:${port}`;
  const idleFresh = await probeFreshness(base, new Promise((r) => setTimeout(r, 3_000)));
  const flood = await wrk(`${base}/api/event`, FLOOD);
  const manyRun = wrk(`${base}/api/event`, MANY);
  const loadFresh = await probeFreshness(base, manyRun);
  const many = await manyRun;
  await app.stop();
  return { flood, many, idleFresh, loadFresh };
}

const describeSide = (label: string, s: Side, ref: Result) =>
  `${label} flood ${s.flood.perSecond.toFixed(0)}/s (${(s.flood.perSecond / ref.perSecond).toFixed(2)}×) p50 ${s.flood.p50.toFixed(1)} p99 ${s.flood.p99.toFixed(1)} ms, many visitors ${s.many.perSecond.toFixed(0)}/s (${(s.many.perSecond / ref.perSecond).toFixed(2)}×) p50 ${s.many.p50.toFixed(1)} p99 ${s.many.p99.toFixed(1)} ms; freshness under load p50 ${percentile(s.loadFresh, 50).toFixed(0)} p95 ${percentile(s.loadFresh, 95).toFixed(0)} ms`;

const runs: Run[] = [];
for (let i = 0; i < PAIRS; i++) {
  const port = 19000 + i * 2;
  const stopBare = await bare(port + 1);
  const ref = await wrk(`http://127.0.0.1:${port + 1}/api/event`, FLOOD);
  await stopBare();
  const run: Run = { ...(await measure(port)), ref };
  if (BASELINE) run.baseline = await measure(port, BASELINE);
  runs.push(run);
  process.stderr.write(
    `pair ${i + 1}/${PAIRS}: node:http ${ref.perSecond.toFixed(0)}/s p99 ${ref.p99.toFixed(1)} ms; ${describeSide('scalehouse', run, ref)}${run.baseline ? `; ${describeSide('baseline', run.baseline, ref)}` : ''}\n`,
  );
}
rmSync(dir, { recursive: true, force: true });

const med = (f: (r: Run) => number) => percentile(runs.map(f), 50);
const row = (label: string, f: (r: Run) => Result) =>
  `| ${label} | ${med((r) => f(r).perSecond).toFixed(0)} | ${med((r) => f(r).p50).toFixed(1)} ms | ${med((r) => f(r).p99).toFixed(1)} ms | ${med((r) => f(r).perSecond / r.ref.perSecond).toFixed(2)}× |`;
const fresh = (f: (r: Run) => number[]) => {
  const all = runs.flatMap(f);
  return `${percentile(all, 50).toFixed(0)} ms / ${percentile(all, 95).toFixed(0)} ms (${all.length} probes)`;
};
const md = `## Beacon intake: \`POST /api/event\` against a bare node:http server

Command: \`npm run bench:intake\` (\`bench/intake.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
wrk 4 (Debian's) on loopback, 2 threads, ${CONNECTIONS} connections, ${SECONDS} s per run, a Firefox beacon as
\`text/plain\`; ${PAIRS} pairs, medians. Scalehouse is \`scalehouse start\` (embedded): a 202 is sent only once
the hit is on disk (group commit, \`fdatasync\`), and the processor loads ClickHouse in the same process.
*One visitor*: every beacon from one address (a flood: one session that grows); *many visitors*: each from a
random address (X-Forwarded-For from a trusted proxy).

**Reference**: node:http reading the body and answering 202, nothing else: the ceiling of a Node HTTP server here.

| | acknowledged/s | p50 | p99 | vs node:http |
|---|---|---|---|---|
${row('Scalehouse, one visitor', (r) => r.flood)}
${row('Scalehouse, many visitors', (r) => r.many)}
${row('bare node:http', (r) => r.ref)}

**Freshness** (a custom event's 202 until the dashboard API counts it; one every 250 ms, polled every 10 ms),
p50 / p95: idle ${fresh((r) => r.idleFresh)}; during the many-visitor run ${fresh((r) => r.loadFresh)}.
`;
if (BASELINE) {
  const side = (label: string, f: (r: Run) => Side) =>
    [row(`${label}, one visitor`, (r) => f(r).flood), row(`${label}, many visitors`, (r) => f(r).many)].join('\n');
  process.stdout.write(
    `| | acknowledged/s | p50 | p99 | vs node:http |\n|---|---|---|---|---|\n${side('this checkout', (r) => r)}\n${side(`baseline (${BASELINE})`, (r) => r.baseline!)}\n${row('bare node:http', (r) => r.ref)}\n\n` +
      `freshness p50 / p95, this checkout: idle ${fresh((r) => r.idleFresh)}, under load ${fresh((r) => r.loadFresh)}; ` +
      `baseline: idle ${fresh((r) => r.baseline!.idleFresh)}, under load ${fresh((r) => r.baseline!.loadFresh)}\n`,
  );
} else {
  writeSection('intake', md);
  process.stdout.write(md);
}
process.exit(0);
