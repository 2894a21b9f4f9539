/**
 * Benchmark: every dashboard query at 10M events, p50/p95 over repeated runs,
 * side by side with the same figures computed from raw events (the reference:
 * what the dashboard would cost without rollups); then the dashboard page's
 * full load in headless Chromium. Writes docs/benchmarks.md.
 *
 *   npm run bench:dashboard            (BENCH_EVENTS=1000000 for a quick run)
 */
import { openEngine } from './open-engine.ts';
import { existsSync, rmSync } from 'node:fs';
import { machine, percentile, writeSection } from './report.ts';
import { performance } from 'node:perf_hooks';
import { migrate } from '../clickhouse/migrate.ts';
import { insertRows } from '../clickhouse/insert.ts';
import { QUERIES } from '../dashboard/api/queries.ts';
import { parseParams } from '../dashboard/query/params.ts';
import { runQuery } from '../dashboard/query/run-query.ts';
import { chTime } from '../clickhouse/time.ts';
import { benchTempDir } from './temp-dir.ts';
import { generateSyntheticSite } from './synthetic-site.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const dataDir = benchTempDir('dashboard');
const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const endText = end.toISOString().slice(0, 19).replace('T', ' ');

const ch = await openEngine(dataDir);
await migrate(ch, { rawRetentionDays: 0 });

const t0 = performance.now();
await generateSyntheticSite(ch, {
  events: EVENTS,
  end: endText,
  progress: (n) => process.stderr.write(`\rgenerated ${n.toLocaleString()} of ${EVENTS.toLocaleString()} events`),
});
await insertRows(
  ch,
  'pipeline_stats',
  [{ minute: endText, site: 'bench.example', outcome: 'event', reason: '', count: EVENTS }],
  'bench:stats',
);
const generateS = (performance.now() - t0) / 1000;
process.stderr.write(`\ngenerated in ${generateS.toFixed(0)} s\n`);

const q = (extra: Record<string, string> = {}) => ({
  site: 'bench.example',
  from: String(end.getTime() - 7 * 86_400_000),
  to: String(end.getTime()),
  ...extra,
});

async function time(fn: () => Promise<unknown>) {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

const rows: string[] = [];
const results: Record<string, { p50: number; p95: number }> = {};
for (const name of Object.keys(QUERIES)) {
  const query = QUERIES[name]!;
  const params = parseParams(name === 'pipeline' || name === 'sites' ? {} : q({ compare: 'previous' }), end.getTime(), query.needsSite);
  const r = await time(() => query.run(ch, params));
  results[name] = r;
  // The reference: the same query on raw events (its *.events variant), where a rollup variant exists.
  let ref = '';
  const rollupFile = {
    overview: 'overview',
    timeseries: 'timeseries',
    heatmap: 'heatmap',
    pages: 'pages',
    status: 'status',
    'failing-paths': 'failing-paths',
  }[name];
  if (rollupFile) {
    // As the API does for these two, the reference computes the previous period too.
    const both = name === 'overview' || name === 'timeseries';
    const prev = { ...params, from: params.from - (params.to - params.from), to: params.from };
    // One period per read (split at the epoch), as the API reads with filters.
    const split = { split: chTime(0) };
    const rr = await time(async () => {
      await runQuery(ch, `${rollupFile}.events`, params, split);
      if (both) await runQuery(ch, `${rollupFile}.events`, prev, split);
    });
    ref = `${rr.p50.toFixed(0)} / ${rr.p95.toFixed(0)}`;
  }
  rows.push(`| ${name} | ${r.p50.toFixed(0)} / ${r.p95.toFixed(0)} | ${ref || '— (reads sessions or raw events only)'} |`);
  process.stderr.write(`${name}: p95 ${r.p95.toFixed(0)} ms\n`);
}
// Filtered: every filtered figure reads raw events and sessions (docs/metrics.md, "Filters").
for (const [label, name, filter] of [
  ['overview, channel=search', 'overview', { channel: 'search' }],
  ['overview, page=/page/1', 'overview', { page: '/page/1' }],
  ['pages, device=mobile', 'pages', { device: 'mobile' }],
  ['channels, page=/page/1', 'channels', { page: '/page/1' }],
] as const) {
  const query = QUERIES[name]!;
  const r = await time(() => query.run(ch, parseParams(q({ compare: 'previous', ...filter }), end.getTime())));
  rows.push(`| ${label} | ${r.p50.toFixed(0)} / ${r.p95.toFixed(0)} | — (filtered: raw events and sessions) |`);
  process.stderr.write(`${label}: p95 ${r.p95.toFixed(0)} ms\n`);
}
await ch.close();

// The page: full load in Chromium, from navigation to every panel drawn.
let page = 'not measured (Chromium not installed)';
const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (chromiumPath) {
  const { chromium } = await import('playwright-core');
  const { spawn } = await import('node:child_process');
  const port = 18000 + Math.floor(Math.random() * 1000);
  const app = spawn(process.execPath, ['bin/scalehouse.mjs', 'start'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      SYSLOG_PORT: '0',
      DASHBOARD_PASSWORD: 'bench-password',
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: '',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  for (
    let i = 0;
    i < 300 &&
    !(await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 100));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const login = await ctx.newPage();
  await login.goto(`${base}/login`);
  await login.fill('#password', 'bench-password');
  await login.click('button[type=submit]');
  await login.waitForFunction(() => document.body.dataset.loaded, null, { timeout: 60_000 });
  await login.close();
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const p = await ctx.newPage();
    const s = performance.now();
    await p.goto(`${base}/?site=bench.example`);
    await p.waitForFunction(() => document.body.dataset.loaded, null, { timeout: 60_000 });
    loads.push(performance.now() - s);
    await p.close();
  }
  let bytes = 0;
  for (const f of ['app.js', 'uplot.js', 'style.css', 'uplot.css'])
    bytes += (await (await ctx.request.get(`${base}/ui/${f}`)).body()).length;
  page = `median ${percentile(loads, 50).toFixed(0)} ms, slowest ${Math.max(...loads).toFixed(0)} ms over 5 loads (24h view, every panel drawn; ${(bytes / 1024).toFixed(0)} KiB of scripts and styles, all served by Scalehouse)`;
  await browser.close();
  await new Promise((r) => {
    app.once('exit', r);
    app.kill('SIGTERM');
  });
}

const md = `## Dashboard queries at ${EVENTS.toLocaleString()} events

Command: \`npm run bench:dashboard\` (\`bench/dashboard-queries.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}. Synthetic traffic of one site over 30 days
(~200,000 visitors, 2,000 paths; \`bench/generate-events.sql\`) loaded into the embedded engine through the same
materialized views as real traffic (generation took ${generateS.toFixed(0)} s). Each query of the dashboard API runs once to
warm up, then ${RUNS} times, over a 7-day range with the previous period for comparison.

**Reference**: the same figures computed from raw events, without the rollups — the \`*.events.sql\` variant
of the query, which the API uses only when a filter is set.

| query | API, p50 / p95 ms | reference (raw events), p50 / p95 ms |
|---|---|---|
${rows.join('\n')}

## Dashboard page

Full load of the built-in dashboard in headless Chromium (Debian's), logged in, at ${EVENTS.toLocaleString()} events:
${page}.
`;
// 10M is the dashboard section; other sizes get their own, so a 100M run keeps the 10M figures.
writeSection(EVENTS === 10_000_000 ? 'dashboard' : `dashboard-${EVENTS / 1_000_000}m`, md);
rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(md);
process.exit(0);
