/**
 * `npm run screenshots`: the README's picture of the dashboard
 * (docs/screenshots/dashboard.png), taken in Debian's Chromium (playwright-core)
 * from a real `scalehouse start` in a throwaway DATA_DIR. It replays the real
 * access logs of ../shared/data/logs (another folder: `--data FOLDER`), makes
 * two goals, a funnel and two shared links on the pages that log has, and
 * shoots the whole page once goals and funnels are drawn. It prints the
 * queries a refresh sent in its one batched request (docs/dashboards.md).
 * The other screenshots are written by the browser tests, with
 * UPDATE_SCREENSHOTS=1 (tests/browser/).
 *
 * Settings reach the children as flags (`--data-dir`), not the environment:
 * only common/config.ts reads that (tests/unit/import-rules.test.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/scalehouse.mjs');
const OUT = join(ROOT, 'docs/screenshots/dashboard.png');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const dataFlag = process.argv.indexOf('--data');
const DATA = resolve(dataFlag > 0 ? process.argv[dataFlag + 1]! : join(ROOT, '../shared/data'));
const LOGS = [
  ['secrepo-2021.log', 'secrepo.example'],
  ['hackers-access.log', 'hackers.example'],
] as const;

// What a visitor of SecRepo (a collection of security data sets) comes for: the pages its log has.
const GOALS = [
  { name: 'Read a data set description', kind: 'page', match: '/Datasets%20Description/**' },
  { name: "Browsed the site's own logs", kind: 'page', match: '/self.logs/**' },
];
const FUNNELS = [
  {
    name: 'Home to a data set',
    steps: [
      { kind: 'page', match: '/' },
      { kind: 'page', match: '/Datasets%20Description/**' },
      { kind: 'page', match: '/Datasets%20Description/*/*' },
    ],
  },
];
const SHARES = [
  { label: 'for the team', password: randomBytes(12).toString('base64url') },
  { label: 'on the blog', embed_origins: ['https://blog.example.com'] },
];

const freePort = () =>
  new Promise<number>((done, fail) => {
    const srv = createServer()
      .once('error', fail)
      .listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => done(port));
      });
  });

/** Polls `check` every 200 ms until it answers true, for at most `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits for the dashboard's next round of loading (app.js, goals.js stamp the body when done). */
const drawn = (page: Page, stamp: 'loaded' | 'goalsLoaded', since: number) =>
  page.waitForFunction(([k, t]) => Number(document.body.dataset[k as string] ?? 0) > (t as number), [stamp, since] as const, {
    timeout: 60_000,
  });
const stampOf = (page: Page, stamp: 'loaded' | 'goalsLoaded') => page.evaluate((k) => Number(document.body.dataset[k] ?? 0), stamp);

/** A JSON request from the logged-in page itself, as its own forms send it (same origin, the login cookie). */
const send = (page: Page, method: string, path: string, body: object) =>
  page.evaluate(
    async ([m, p, b]) => {
      const res = await fetch(p as string, {
        method: m as string,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      });
      if (!res.ok) throw new Error(`${m} ${p}: ${res.status} ${await res.text()}`);
    },
    [method, path, body] as const,
  );

async function main(): Promise<void> {
  if (!CHROMIUM) throw new Error('Chromium is not installed: sudo apt-get install chromium');
  const dataDir = mkdtempSync(join(tmpdir(), 'scalehouse-shots-'));
  const flags = ['--data-dir', dataDir, '--kafka-brokers=', '--log-level', 'warn'];
  const password = randomBytes(12).toString('base64url');
  try {
    for (const [file, site] of LOGS)
      execFileSync(process.execPath, [BIN, 'replay', join(DATA, 'logs', file), '--site', site, ...flags], { stdio: 'inherit' });
    const port = await freePort();
    const app = spawn(
      process.execPath,
      [BIN, 'start', ...flags, '--host', '127.0.0.1', '--port', String(port), '--syslog-port', '0', '--dashboard-password', password],
      { stdio: 'inherit' },
    );
    const url = `http://127.0.0.1:${port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      await until('scalehouse start', async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true, 60_000);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${url}/login`);
      await page.fill('#password', password);
      await page.click('button[type=submit]');
      await drawn(page, 'loaded', 0);
      const site = LOGS[0][1];
      for (const goal of GOALS) await send(page, 'POST', '/api/goals', { site, ...goal });
      for (const funnel of FUNNELS) await send(page, 'POST', '/api/funnels', { site, ...funnel });
      for (const share of SHARES) await send(page, 'POST', '/api/shares', { site, ...share });

      // The last 7 days of the log (the view moves to a site's latest data), with what was just made.
      const batches: string[][] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/stats/batch?')) batches.push(new URL(r.url()).searchParams.get('queries')!.split(','));
      });
      await page.goto(`${url}/?site=${site}&range=7d`);
      await drawn(page, 'loaded', 0);
      await drawn(page, 'goalsLoaded', 0);
      // The links are listed inside the card's closed <details>: open it, as the owner would.
      await page.evaluate(() => {
        (document.getElementById('share-editor') as HTMLDetailsElement).open = true;
      });
      await page.locator('#shares tbody tr', { hasText: SHARES[0]!.label }).waitFor();
      // Once more, counted alone: the queries of one whole refresh.
      const since = await stampOf(page, 'loaded');
      batches.length = 0;
      await page.click('.ranges button[data-range="604800000"]');
      await drawn(page, 'loaded', since);
      console.log(
        `a refresh sent ${batches.length} batch request(s) of ${batches.map((b) => b.length).join(', ')} queries: ${batches.flat().join(', ')}`,
      );
      await page.screenshot({ path: OUT, fullPage: true });
      console.log(`wrote ${OUT}`);
    } finally {
      await browser.close();
      app.kill('SIGTERM');
      await new Promise((r) => app.once('exit', r));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
