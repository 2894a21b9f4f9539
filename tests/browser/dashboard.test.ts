/**
 * The built-in dashboard in a real headless Chromium (Debian's, driven by
 * playwright-core): log in, see non-empty charts and tables after a replay,
 * apply a filter by clicking, and see the numbers change. With
 * UPDATE_SCREENSHOTS=1 the screenshots are written to docs/screenshots/, but
 * for the overview (dashboard.png), which scripts/screenshots.ts takes with
 * goals, funnels and shared links.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { fixture } from '../helpers/fixtures.ts';
import { within } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
const SHOTS = process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : tempDir('shots');
const PASSWORD = 'correct horse battery staple';

let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  const dataDir = tempDir('ui');
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', KAFKA_BROKERS: '' };
  execFileSync(process.execPath, [BIN, 'replay', fixture('logs/secrepo-2021.log'), '--site', 'secrepo.example'], { env, stdio: 'ignore' });
  execFileSync(process.execPath, [BIN, 'replay', fixture('logs/hackers-access.log'), '--site', 'hackers.example'], {
    env,
    stdio: 'ignore',
  });
  app = await startApp({ DATA_DIR: dataDir, DASHBOARD_PASSWORD: PASSWORD }, await freePort());
  browser = await launchChromium();
}, 600_000); // installing Chromium on a fresh machine takes a while

afterAll(async () => {
  await browser?.close();
  app?.child.kill('SIGTERM');
  if (app) await within('scalehouse start to exit', app.exited);
});

/** Waits for the dashboard to finish a round of loading after `since`. */
const loaded = (page: Page, since = 0) =>
  page.waitForFunction((t) => Number(document.body.dataset.loaded ?? 0) > t, since, { timeout: 30_000 });
const kpi = (page: Page, label: string) => page.locator('.kpi', { hasText: label }).locator('.value').innerText();

describe('dashboard in Chromium', () => {
  it('refuses a wrong password and lets the right one in', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/`);
    expect(page.url()).toBe(`${app.url}/login`);
    await page.fill('#password', 'wrong');
    await page.click('button[type=submit]');
    await page.waitForURL(/failed=1/);
    expect(await page.locator('#failed').isVisible()).toBe(true);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${app.url}/`);
    await loaded(page);
    await page.close();
  });

  it('shows figures, charts and tables after a replay; a click filters and the numbers change', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // What the browser refused or failed at: the Content-Security-Policy's refusals show here as errors.
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${app.url}/login`);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await loaded(page);
    expect(await page.locator('#site').inputValue()).toBe('secrepo.example');
    // The replayed log ends in 2021: the view moves to its latest data and says so.
    expect(await page.locator('#notice').innerText()).toContain('Showing the latest data for secrepo.example');

    await page.click('.ranges button[data-range="604800000"]');
    const before = Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
    await loaded(page, before);
    const visitors = Number((await kpi(page, 'Unique visitors')).replace(/\D/g, ''));
    const pageviews = Number((await kpi(page, 'Pageviews')).replace(/\D/g, ''));
    expect(visitors).toBeGreaterThan(100);
    expect(pageviews).toBeGreaterThan(100);
    for (const id of ['chart-traffic', 'chart-status', 'chart-bots', 'chart-pipeline']) {
      expect(await page.locator(`#${id} canvas`).count(), id).toBe(1);
    }
    expect(await page.locator('#pages tbody tr').count()).toBeGreaterThan(5);
    expect(await page.locator('#browsers tbody tr').count()).toBeGreaterThan(2);
    expect(await page.locator('#heatmap div[title*="pageviews"]').count()).toBe(7 * 24);
    // The range ends in 2021: there is no "now" to count current visitors in; the combined log has no timing.
    expect(await kpi(page, 'Current visitors')).toBe('—');
    expect(await page.locator('#chart-rt').innerText()).toContain('No data');
    expect(await page.locator('#non-page-referrers tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(tempDir('overview'), 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);

    // Filter by a channel, by clicking its row.
    const channel = await page.locator('#channels tbody tr').first().getAttribute('data-value');
    const mark = Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
    await page.locator('#channels tbody tr').first().click();
    await loaded(page, mark);
    expect(await page.locator('#filters .chip').innerText()).toContain(`channel: ${channel}`);
    const filtered = Number((await kpi(page, 'Pageviews')).replace(/\D/g, ''));
    expect(filtered).toBeLessThan(pageviews);
    expect(filtered).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'dashboard-filtered.png') });

    // An entry page filters visits by where they started.
    const entry = await page.locator('#entry-pages tbody tr').first().getAttribute('data-value');
    const mark5 = Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
    await page.locator('#entry-pages tbody tr').first().click();
    await loaded(page, mark5);
    expect(await page.locator('#filters').innerText()).toContain(`entry: ${entry}`);
    const entryVisits = await page.locator('#entry-pages tbody tr').first().locator('td.num').first().innerText();
    expect(await kpi(page, 'Visits')).toBe(entryVisits);
    const mark6 = Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
    await page.locator('#filters .chip', { hasText: 'entry' }).click();
    await loaded(page, mark6);

    // Bots instead of people: the top pages become what crawlers fetch.
    const humansTop = await page.locator('#pages tbody tr').first().getAttribute('data-value');
    const mark3 = Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
    await page.click('#traffic button[data-traffic="bots"]');
    await loaded(page, mark3);
    expect(await page.locator('#pages tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#pages').innerText()).not.toBe('');
    const botsTop = await page.locator('#pages tbody tr').first().getAttribute('data-value');
    expect(botsTop).not.toBeNull();
    const mark4 = Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
    await page.click('#traffic button[data-traffic="humans"]');
    await loaded(page, mark4);
    expect(await page.locator('#pages tbody tr').first().getAttribute('data-value')).toBe(humansTop);

    // Status class filter from the chips; removing the filters restores the figures.
    const mark2 = Number((await page.evaluate(() => document.body.dataset.loaded)) ?? 0);
    await page.locator('#filters .chip').click();
    await loaded(page, mark2);
    expect(Number((await kpi(page, 'Pageviews')).replace(/\D/g, ''))).toBe(pageviews);
    await page.close();
  });

  it('is readable on a phone', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    await page.goto(`${app.url}/login`);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await loaded(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(SHOTS, 'dashboard-phone.png') });
    await page.close();
  });
});
