/**
 * The beacon and the access log of the same visits, for real: Debian's
 * Chromium (playwright-core) browses pages served by Debian's nginx, which
 * sends its access log by syslog to a running `scalehouse start`; the pages
 * carry the beacon from that same Scalehouse. A page view both report counts
 * once; a page whose beacon an ad blocker stops is counted from the log, as
 * seen only in logs.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { repoFile, startNginx, type Nginx } from '../helpers/nginx.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

// Chromium headless says "HeadlessChrome", which is a bot; a person's browser does not.
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const TOKEN = randomBytes(16).toString('hex');

let app: AppProcess;
let nginx: Nginx;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'scalehouse-beacon-'));
  const syslogPort = await freePort();
  app = await startApp(
    {
      DATA_DIR: dataDir,
      SYSLOG_PORT: String(syslogPort),
      SYSLOG_SITES: 'nginx=example.com',
      DASHBOARD_PASSWORD: 'unused in this test',
      DASHBOARD_TOKENS: createHash('sha256').update(TOKEN).digest('hex'),
    },
    await freePort(),
  );
  const page = (title: string) =>
    `<!doctype html><title>${title}</title><script defer src="${app.url}/scalehouse.js" data-site="example.com"></script><h1>${title}</h1>`;
  nginx = await startNginx({
    files: { 'index.html': page('home'), 'a.html': page('A'), 'b.html': page('B') },
    server: readFileSync(repoFile('nginx/scalehouse-syslog.conf'), 'utf8').replace('127.0.0.1:5514', `127.0.0.1:${syslogPort}`),
    probeUserAgent: 'curl/8.0', // a bot: the probe is not a visit
  });
  browser = await launchChromium();
}, 600_000); // installing nginx and Chromium on a fresh machine takes a while

afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  app?.child.kill('SIGTERM');
  if (app) await within('scalehouse start to exit', app.exited);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const stats = async (name: string) => {
  const from = Date.now() - 3_600_000;
  const res = await fetch(`${app.url}/api/stats/${name}?site=example.com&from=${from}&to=${Date.now() + 60_000}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: any }).data;
};

describe('beacon and access log of the same visits', () => {
  it("count a page view both report once, and a blocked beacon's page as seen only in logs", async () => {
    const context = await browser.newContext({ userAgent: USER_AGENT });
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${nginx.port}/a.html`);
    await waitFor(
      "the beacon's and the log's copy of /a.html",
      async () => {
        const o = (await stats('overview')).current;
        return o.hits >= 2 && o.beacon_pageviews >= 1 ? o : undefined;
      },
      30_000,
    );

    // An ad blocker: the beacon script never loads on /b.html.
    await tab.route('**/scalehouse.js', (route) => route.abort());
    await tab.goto(`http://127.0.0.1:${nginx.port}/b.html`);
    const o = await waitFor(
      "the log's /b.html",
      async () => {
        const c = (await stats('overview')).current;
        return c.pageviews >= 2 ? c : undefined;
      },
      30_000,
    );
    await context.close();

    expect({
      pageviews: o.pageviews,
      beacon_pageviews: o.beacon_pageviews,
      log_only_pageviews: o.log_only_pageviews,
      visits: o.visits,
    }).toEqual({ pageviews: 2, beacon_pageviews: 1, log_only_pageviews: 1, visits: 1 });
    const pages = Object.fromEntries(
      ((await stats('pages')) as { path: string; pageviews: number; log_only_pageviews: number }[])
        .filter((p) => p.pageviews > 0)
        .map((p) => [p.path, [p.pageviews, p.log_only_pageviews]]),
    );
    expect(pages).toEqual({ '/a.html': [1, 0], '/b.html': [1, 1] });
    // One visit, typed in.
    expect(((await stats('channels')) as { value: string; visits: number }[]).map((c) => [c.value, c.visits])).toEqual([['direct', 1]]);
  });
});
