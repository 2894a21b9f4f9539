/**
 * The dashboard's view in a real headless Chromium (Debian's, driven by
 * playwright-core) against `scalehouse start`: the view lives in the URL
 * (custom range in the browser's time zone, filter, comparison) and comes
 * back on reload and with back/forward; a refresh is one batched request,
 * and none while the tab is hidden; the heatmap fits its card at phone and
 * desktop widths; paths show decoded with the full path on hover; the
 * realtime view shows a hit sent after it was opened. With
 * UPDATE_SCREENSHOTS=1 the realtime view's screenshot is written to
 * docs/screenshots/.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { drainAndStop, freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { fixture } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const SHOTS = process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : tempDir('shots');
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
// A site with traffic now, so its ranges end now and refresh by themselves.
const LIVE = 'live.example';

let app: AppProcess;
let browser: Browser;

/** Sends a pageview as the beacon does, from a browser. */
async function beacon(path: string): Promise<void> {
  const res = await fetch(`${app.url}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': BROWSER_UA },
    body: JSON.stringify({ site: LIVE, url: `https://${LIVE}${path}`, referrer: 'https://duckduckgo.com/' }),
  });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  const dataDir = tempDir('ui-view');
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', KAFKA_BROKERS: '' };
  execFileSync(process.execPath, [BIN, 'replay', fixture('logs/secrepo-2021.log'), '--site', 'secrepo.example'], { env, stdio: 'ignore' });
  app = await startApp({ DATA_DIR: dataDir, DASHBOARD_PASSWORD: PASSWORD }, await freePort());
  await beacon('/');
  await beacon('/pricing');
  await waitFor('the beacons to be loaded', async () => {
    const { status, body } = await app.readyz();
    return status === 200 && body.bus.lag === 0 ? true : undefined;
  });
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (app) await drainAndStop(app);
});

/** A logged-in browser context; the time zone is not UTC, so a custom range must be converted. */
async function loggedIn(opts: { width?: number; timezoneId?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1400, height: 1000 },
    timezoneId: opts.timezoneId ?? 'America/New_York',
  });
  const page = await context.newPage();
  await page.goto(`${app.url}/login`);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await loaded(page);
  return { context, page };
}

const mark = async (page: Page) => Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
/** Waits for the dashboard to finish a round of loading after `since`. */
const loaded = (page: Page, since = 0) =>
  page.waitForFunction((t) => Number(document.body.dataset.loaded ?? 0) > t, since, { timeout: 30_000 });
/** Does `action`, then waits for the refresh it starts. */
async function andLoaded(page: Page, action: () => Promise<unknown>): Promise<void> {
  const since = await mark(page);
  await action();
  await loaded(page, since);
}
/** Every figure of the overview, as shown. */
const figures = (page: Page) => page.locator('#kpis .kpi').evaluateAll((kpis) => kpis.map((k) => k.textContent));
/** The API requests the page makes from now on. */
function apiRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) seen.push(new URL(r.url()).pathname);
  });
  return seen;
}
/** The tab as the browser reports it when hidden or shown again (headless Chromium always says "visible"). */
const setVisibility = (page: Page, state: 'hidden' | 'visible') =>
  page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);

describe('the view in the URL', () => {
  it("keeps a custom range (in the browser's time zone), a filter and the comparison across a reload, and steps back and forward through them", async () => {
    const { context, page } = await loggedIn();
    expect(page.url()).toBe(`${app.url}/?site=secrepo.example`);
    // 24 Oct 2021, 02:00 to 25 Oct, 14:30 in New York (EDT, UTC−4).
    await page.fill('#from', '2021-10-24T02:00');
    await page.fill('#to', '2021-10-25T14:30');
    await andLoaded(page, () => page.click('#custom button[type=submit]'));
    expect(page.url()).toBe(`${app.url}/?site=secrepo.example&from=2021-10-24T06%3A00%3A00.000Z&to=2021-10-25T18%3A30%3A00.000Z`);
    // A range of one's own does not end now: not live.
    expect(await page.locator('#live.on').count()).toBe(0);
    expect(await page.locator('.ranges button[data-range].on').count()).toBe(0);
    const unfiltered = await figures(page);

    const channel = await page.locator('#channels tbody tr').first().getAttribute('data-value');
    await andLoaded(page, () => page.locator('#channels tbody tr').first().click());
    expect(page.url()).toBe(
      `${app.url}/?site=secrepo.example&from=2021-10-24T06%3A00%3A00.000Z&to=2021-10-25T18%3A30%3A00.000Z&channel=${channel}`,
    );
    await andLoaded(page, () => page.selectOption('#compare', 'none'));
    const url = page.url();
    expect(url).toBe(
      `${app.url}/?site=secrepo.example&from=2021-10-24T06%3A00%3A00.000Z&to=2021-10-25T18%3A30%3A00.000Z&channel=${channel}&compare=none`,
    );
    const filtered = await figures(page);
    expect(filtered).not.toEqual(unfiltered);
    // Without a comparison, no changes are shown.
    expect(await page.locator('#kpis .delta.up, #kpis .delta.down').count()).toBe(0);

    await andLoaded(page, () => page.reload());
    expect(page.url()).toBe(url);
    expect(await figures(page)).toEqual(filtered);
    expect(await page.locator('#filters .chip').innerText()).toContain(`channel: ${channel}`);
    expect([await page.inputValue('#from'), await page.inputValue('#to'), await page.inputValue('#compare')]).toEqual([
      '2021-10-24T02:00',
      '2021-10-25T14:30',
      'none',
    ]);

    // Back: the comparison again, then no filter; forward: the filter again.
    await andLoaded(page, () => page.goBack());
    expect(await page.inputValue('#compare')).toBe('previous');
    expect(await page.locator('#kpis .delta.up, #kpis .delta.down').count()).toBeGreaterThan(0);
    await andLoaded(page, () => page.goBack());
    expect(page.url()).toBe(`${app.url}/?site=secrepo.example&from=2021-10-24T06%3A00%3A00.000Z&to=2021-10-25T18%3A30%3A00.000Z`);
    expect(await figures(page)).toEqual(unfiltered);
    expect(await page.locator('#filters .chip').count()).toBe(0);
    await andLoaded(page, () => page.goForward());
    expect(await page.locator('#filters .chip').innerText()).toContain(`channel: ${channel}`);
    // A preset again: the range follows the site's latest data, as before.
    await andLoaded(page, () => page.click('.ranges button[data-range="604800000"]'));
    expect(page.url()).toBe(`${app.url}/?site=secrepo.example&range=7d&channel=${channel}`);
    await context.close();
  });
});

describe('requests', () => {
  it('loads and refreshes with one batched request each, and none while the tab is hidden', async () => {
    const { context, page } = await loggedIn();
    const requests = apiRequests(page);
    await andLoaded(page, () => page.goto(`${app.url}/?site=${LIVE}&range=1h`));
    // The site list, then every panel in one batch (there are 26 panels).
    expect(requests).toEqual(['/api/stats/sites', '/api/stats/batch']);
    expect(await page.locator('#live.on').count()).toBe(1);
    expect(await page.locator('#pages tbody tr').count()).toBe(2);

    // A refresh by itself every 5 seconds while the range ends now: one request each.
    requests.length = 0;
    const since = await mark(page);
    await loaded(page, since);
    await loaded(page, await mark(page));
    expect(requests).toEqual(['/api/stats/batch', '/api/stats/batch']);

    // Hidden: no refresh at all (the absence of requests needs time to show: two refresh periods).
    await setVisibility(page, 'hidden');
    requests.length = 0;
    const hiddenSince = await mark(page);
    await page.waitForTimeout(11_000);
    expect(requests).toEqual([]);
    expect(await mark(page)).toBe(hiddenSince);
    // Shown again: a refresh at once, then on every 5 seconds.
    const shown = Date.now();
    await andLoaded(page, () => setVisibility(page, 'visible'));
    expect(Date.now() - shown).toBeLessThan(4_000);
    expect(requests).toEqual(['/api/stats/batch']);
    await context.close();
  });
});

describe('layout', () => {
  it.each([390, 1400, 1920])('fits the heatmap inside its card, all 24 hours visible, at %i px', async (width) => {
    const { context, page } = await loggedIn({ width });
    await page.locator('#heatmap').scrollIntoViewIfNeeded();
    const box = await page.evaluate(() => {
      const grid = document.getElementById('heatmap')!;
      const card = grid.parentElement!;
      const last = grid.lastElementChild as HTMLElement;
      const c = card.getBoundingClientRect();
      const l = last.getBoundingClientRect();
      const style = getComputedStyle(card);
      return {
        gridScroll: grid.scrollWidth,
        cardClient: card.clientWidth,
        cardContentRight: c.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
        lastRight: l.right,
        lastWidth: l.width,
        lastTitle: last.title,
        pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
      };
    });
    expect(box.gridScroll).toBeLessThanOrEqual(box.cardClient);
    expect(box.lastRight).toBeLessThanOrEqual(box.cardContentRight + 0.5);
    expect(box.lastWidth).toBeGreaterThanOrEqual(6);
    expect(box.lastTitle).toMatch(/^Sun 23:00 — \d+ pageviews$/);
    expect(box.pageOverflow).toBeLessThanOrEqual(1);
    expect(await page.locator('#heatmap div[title*="pageviews"]').count()).toBe(7 * 24);
    await context.close();
  });

  it('shows paths decoded, shortened in the middle where too long, with the full path on hover; labels server time apart', async () => {
    const { context, page } = await loggedIn({ width: 390 });
    await andLoaded(page, () => page.click('.ranges button[data-range="604800000"]'));
    const rows = await page.locator('#pages tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        value: tr.getAttribute('data-value')!,
        title: tr.querySelector('td.name')!.getAttribute('title')!,
        text: tr.querySelector('td.name .text')!.textContent!,
        fits: (tr.querySelector('td.name .text') as HTMLElement).offsetWidth <= (tr.querySelector('td.name') as HTMLElement).clientWidth,
      })),
    );
    const encoded = rows.filter((r) => r.value.includes('%20'));
    expect(encoded.length).toBeGreaterThan(0);
    for (const r of encoded) {
      // The filter keeps the path as stored; what is shown is decoded.
      expect(r.title).toBe(decodeURIComponent(r.value));
      expect(r.text).not.toContain('%20');
      expect(r.fits).toBe(true);
      if (r.text !== r.title) {
        const [head, tail] = r.text.split('…');
        expect(r.title.startsWith(head!) && r.title.endsWith(tail!)).toBe(true);
      }
    }
    expect(encoded.some((r) => r.text.includes('…'))).toBe(true);
    expect(await page.locator('#pages thead th').allInnerTexts()).toEqual([
      'Page',
      'Views',
      'Hits',
      expect.stringMatching(/^Server time\s+\(ms\)$/),
    ]);
    expect(await page.locator('#pages thead th', { hasText: 'Server time' }).getAttribute('title')).toContain('server took to answer');
    await context.close();
  });
});

describe('realtime', () => {
  it('shows current visitors and a hit sent after the view was opened', async () => {
    const { context, page } = await loggedIn();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${app.url}/?site=${LIVE}&view=realtime`);
    await page.waitForFunction(() => document.body.dataset.realtime, null, { timeout: 30_000 });
    expect(await page.locator('main').isVisible()).toBe(false);
    expect(Number(await page.locator('#rt-visitors').innerText())).toBeGreaterThanOrEqual(1);
    const path = `/realtime/${Date.now()}/Über%20uns`;
    await beacon(path);
    const row = page.locator('#rt-hits tbody tr', { hasText: decodeURIComponent(path) });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('td').allInnerTexts()).toEqual([
      expect.any(String),
      decodeURIComponent(path),
      'search · duckduckgo.com',
      '—',
      'desktop, Chrome',
    ]);
    await page.screenshot({ path: join(SHOTS, 'dashboard-realtime.png') });
    // Back to the overview: the stream is closed, the dashboard refreshes as before.
    await andLoaded(page, () => page.click('#views button[data-view="overview"]'));
    expect(page.url()).toBe(`${app.url}/?site=${LIVE}`);
    expect(await page.locator('#realtime').isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });
});
