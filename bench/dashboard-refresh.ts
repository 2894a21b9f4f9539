/**
 * Benchmark: a full dashboard refresh, as the page made it before (one GET
 * /api/stats/NAME per panel, six at a time as a browser sends them over
 * HTTP/1.1) against one GET /api/stats/batch with the same queries, side by
 * side on the same data and the same `scalehouse start`: repeated pairs in
 * alternating order, medians. Before that, with the engine in this process:
 * the queries one by one against the batch (which reads the breakdowns of
 * visits together), and the batch one query at a time against several at
 * once. Writes its section of docs/benchmarks.md.
 *
 *   npm run bench:refresh            (BENCH_EVENTS=10000000 BENCH_PAIRS=15 by default)
 */
import { openEngine } from './open-engine.ts';
import { Agent, request } from 'node:http';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { withReadLimits } from '../clickhouse/connect.ts';
import { migrate } from '../clickhouse/migrate.ts';
import { answerBatch } from '../dashboard/api/batch.ts';
import { answerQuery } from '../dashboard/api/answer.ts';
import { dashboardLogin } from './reference-tools.ts';
import { machine, percentile, writeSection } from './report.ts';
import { benchTempDir } from './temp-dir.ts';
import { generateSyntheticSite } from './synthetic-site.ts';
import { startScalehouse } from './start-scalehouse.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 15);
const SITE = 'bench.example';
const PASSWORD = 'bench-password';
const dataDir = benchTempDir('refresh');
const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const endText = end.toISOString().slice(0, 19).replace('T', ' ');

// ---- data: synthetic traffic of one site over 30 days, up to now -------------------------------
const ch = await openEngine(dataDir);
await migrate(ch, { rawRetentionDays: 0 });
await generateSyntheticSite(ch, { events: EVENTS, end: endText });
process.stderr.write(`generated ${EVENTS.toLocaleString()} events\n`);

// ---- the refresh: the queries the page asks for, for a view ------------------------------------
interface View {
  label: string;
  rangeMs: number;
}
const VIEWS: View[] = [
  { label: 'last hour (raw events)', rangeMs: 3_600_000 },
  { label: 'last 7 days (rollups and sessions)', rangeMs: 7 * 86_400_000 },
];
const PANELS = [
  'overview',
  'timeseries',
  'heatmap',
  'pages',
  'entry-pages',
  'non-page-referrers',
  'custom-events',
  'custom-events-timeseries',
  'exit-pages',
  'channels',
  'referrers',
  'utm-sources',
  'utm-campaigns',
  'browsers',
  'os',
  'devices',
  'countries',
  'status',
  'failing-paths',
  'response-times',
  'bots',
  'bot-reasons',
  'alerts',
  'pipeline',
];
// The page before asked for custom-event-props on every refresh, without an event; it now does only once one is chosen.
const BEFORE = [...PANELS.slice(0, 7), 'custom-event-props', ...PANELS.slice(7)];
const COMPARED = new Set(['overview', 'timeseries']);
const common = (v: View) =>
  new URLSearchParams({ site: SITE, from: new Date(end.getTime() - v.rangeMs).toISOString(), to: end.toISOString() });
const singleUrl = (v: View, name: string) => `/api/stats/${name}?${common(v)}${COMPARED.has(name) ? '&compare=previous' : ''}`;
const batchUrl = (v: View) =>
  `/api/stats/batch?queries=${PANELS.join(',')}&${common(v)}&overview.compare=previous&timeseries.compare=previous`;

// ---- in this process: each query alone against the batch, and the batch one or several at a time -
const limited = withReadLimits(ch, { maxSeconds: 30, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 100_000 });
const inProcess: string[] = [];
const WAYS: Record<string, (v: View) => Promise<unknown>> = {
  alone: async (v) => {
    for (const name of PANELS)
      await answerQuery({ ch: limited }, name, Object.fromEntries(new URL(singleUrl(v, name), 'http://x').searchParams));
  },
  ...Object.fromEntries(
    [1, 2, 4].map((c) => [
      `batch${c}`,
      (v: View) => answerBatch({ ch: limited, batchConcurrency: c }, new URL(batchUrl(v), 'http://x').searchParams),
    ]),
  ),
};
for (const v of VIEWS) {
  const ms: Record<string, number[]> = Object.fromEntries(Object.keys(WAYS).map((w) => [w, []]));
  for (const way of Object.values(WAYS)) await way(v); // warm-up
  for (let i = 0; i < PAIRS; i++) {
    const order = i % 2 ? Object.keys(WAYS).reverse() : Object.keys(WAYS);
    for (const w of order) {
      const s = performance.now();
      await WAYS[w]!(v);
      ms[w]!.push(performance.now() - s);
    }
  }
  inProcess.push(
    `| ${v.label} | ${Object.keys(WAYS)
      .map((w) => percentile(ms[w]!, 50).toFixed(0))
      .join(' | ')} |`,
  );
  process.stderr.write(
    `in process, ${v.label}: ${Object.keys(WAYS)
      .map((w) => `${w} ${percentile(ms[w]!, 50).toFixed(0)} ms`)
      .join(', ')}\n`,
  );
}
await ch.close();

// ---- over HTTP, against scalehouse start ------------------------------------------------------
const port = 18_000 + Math.floor(Math.random() * 1000);
const server = startScalehouse({
  dataDir,
  port,
  env: { DASHBOARD_PASSWORD: PASSWORD, ALERTS: 'false' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let serverLog = '';
server.stderr!.on('data', (d) => (serverLog += d));
const base = `http://127.0.0.1:${port}`;
for (
  let i = 0;
  !(await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  ));
  i++
) {
  if (server.exitCode !== null || i > 1200) throw new Error(`scalehouse start did not come up: ${serverLog}`);
  await new Promise((r) => setTimeout(r, 100));
}
const cookie = await dashboardLogin(base, PASSWORD);
// A browser opens at most six connections to one host over HTTP/1.1, and keeps them.
const agent = new Agent({ keepAlive: true, maxSockets: 6 });
const get = (path: string) =>
  new Promise<number>((resolve, reject) => {
    request(`${base}${path}`, { agent, headers: { cookie } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
const before = (v: View) => Promise.all(BEFORE.map((n) => get(singleUrl(v, n)))).then((b) => b.reduce((x, y) => x + y, 0));
const after = (v: View) => get(batchUrl(v));

const overHttp: string[] = [];
for (const v of VIEWS) {
  await before(v);
  await after(v); // warm-up
  const t: { before: number[]; after: number[]; ratio: number[] } = { before: [], after: [], ratio: [] };
  const bytes = { before: 0, after: 0 };
  for (let i = 0; i < PAIRS; i++) {
    const pair: Record<'before' | 'after', number> = { before: 0, after: 0 };
    for (const which of i % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) {
      const s = performance.now();
      bytes[which] = await (which === 'before' ? before(v) : after(v));
      pair[which] = performance.now() - s;
    }
    t.before.push(pair.before);
    t.after.push(pair.after);
    t.ratio.push(pair.after / pair.before);
  }
  const med = (xs: number[]) => percentile(xs, 50);
  overHttp.push(
    `| ${v.label} | ${BEFORE.length} requests, ${med(t.before).toFixed(0)} ms (p90 ${percentile(t.before, 90).toFixed(0)}), ${(bytes.before / 1024).toFixed(0)} KiB | 1 request, ${med(t.after).toFixed(0)} ms (p90 ${percentile(t.after, 90).toFixed(0)}), ${(bytes.after / 1024).toFixed(0)} KiB | ${med(t.ratio).toFixed(2)} |`,
  );
  process.stderr.write(
    `over HTTP, ${v.label}: before ${med(t.before).toFixed(0)} ms, batch ${med(t.after).toFixed(0)} ms, pair ratio ${med(t.ratio).toFixed(2)}\n`,
  );
}
agent.destroy();
await new Promise((r) => {
  server.once('exit', r);
  server.kill('SIGTERM');
});
rmSync(dataDir, { recursive: true, force: true });

const md = `## Dashboard refresh: one batched request against one request per panel

Command: \`npm run bench:refresh\` (\`bench/dashboard-refresh.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}. Synthetic traffic of one site
(${EVENTS.toLocaleString()} events over 30 days ending now, \`bench/generate-events.sql\`), served by \`scalehouse start\`; ${PAIRS} pairs per view,
the two ways taking turns going first; medians, and the median of each pair's ratio.

**Reference**: the refresh as the page made it before — one \`GET /api/stats/NAME\` per panel (${BEFORE.length}, with
\`custom-event-props\` asked for without an event), six at a time over kept-alive connections as a browser sends them over HTTP/1.1.
**Now**: one \`GET /api/stats/batch\` with the ${PANELS.length} queries the page asks for.

| view | before: a request per panel | now: one batch | batch / before (per pair) |
|---|---|---|---|
${overHttp.join('\n')}

In the server (in process, no HTTP; median ms): the ${PANELS.length} queries each alone, one after another, against the batch — which
reads the ten breakdowns of visits together — running its reads one at a time (as it does), two or four at a time:

| view | each alone | batch, 1 at a time | batch, 2 at a time | batch, 4 at a time |
|---|---|---|---|---|
${inProcess.join('\n')}
`;
writeSection('refresh', md);
process.stdout.write(md);
process.exit(0);
