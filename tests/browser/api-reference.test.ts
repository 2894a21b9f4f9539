/**
 * The API reference page in Debian's Chromium, against a real `scalehouse
 * start`: behind the login like the rest of /ui, it reads /api/openapi.json
 * and shows every endpoint the document lists, within the dashboard's
 * Content-Security-Policy (a refused script or fetch shows as a console error).
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { drainAndStop, freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const PASSWORD = 'the password of the api reference test';

let app: AppProcess;
let browser: Browser;

beforeAll(async () => {
  app = await startApp({ DATA_DIR: tempDir('api-reference'), DASHBOARD_PASSWORD: PASSWORD }, await freePort());
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (app && app.child.exitCode === null) await drainAndStop(app);
});

describe('the API reference page', () => {
  it('sends a stranger to the login page', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}/ui/api.html`);
    expect(page.url()).toBe(`${app.url}/login`);
    await page.close();
  });

  it("shows, after the login, every endpoint of the document, from the dashboard's header link", async () => {
    const doc = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
      info: { version: string };
    };
    const expected = Object.entries(doc.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    // Chromium asks for /favicon.ico by itself, and the dashboard's own page declares no icon: not this page's problem.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${app.url}/login`);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${app.url}/`);
    await page.click('a.api-link');
    await page.waitForURL(`${app.url}/ui/api.html`);
    await page.waitForFunction(() => document.body.dataset.endpoints !== undefined, undefined, { timeout: 30_000 });
    const shown = await page.locator('[data-endpoint]').evaluateAll((els) => els.map((e) => e.getAttribute('data-endpoint')!));
    expect(shown.sort()).toEqual(expected);
    expect(await page.locator('#version').innerText()).toBe(`OpenAPI 3.1.0, version ${doc.info.version}`);
    // One endpoint opened: its summary, parameters and answers are there.
    const stats = page.locator('[data-endpoint="GET /api/stats/{name}"]');
    await stats.locator('summary').first().click();
    expect(await stats.innerText()).toContain(doc.paths['/api/stats/{name}']!.get!.summary);
    expect(await stats.locator('table').innerText()).toContain('granularity');
    expect(await stats.innerText()).toContain('422');
    expect(await page.locator('#notice').isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
