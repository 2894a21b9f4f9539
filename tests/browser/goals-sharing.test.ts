/**
 * Goals, funnels, CSV export and shared links in Debian's Chromium, against a
 * real `scalehouse start`: visitors browse a test site that loads the real
 * snippet (pages, and custom events by scalehouse(name, props)); the owner
 * makes a goal and a three-step funnel in the dashboard's forms and sees the
 * conversions this test computes from what it sent; downloads a table as CSV
 * and finds the API's JSON rows in it; shares the dashboard, opens the link in
 * a browser that never logged in (and embedded in a page of an allowed
 * origin), revokes it, and the link opens nothing.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { drainAndStop, freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const PASSWORD = 'correct horse battery staple';
const UA = (n: number) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.${n} Safari/537.36`;

/** What each visitor does, in order: a page of the test site, or a custom event on the page it is on. */
type Step = { page: string } | { event: string };
const VISITS: Step[][] = [
  [{ page: '/' }, { page: '/pricing' }, { event: 'Signup' }],
  [{ page: '/' }, { page: '/pricing' }],
  [{ page: '/' }, { event: 'Signup' }],
  [{ page: '/pricing' }, { page: '/' }, { event: 'Signup' }],
  [{ page: '/blog/hello' }],
  [{ page: '/' }, { page: '/pricing' }, { page: '/' }, { event: 'Signup' }],
  [{ page: '/pricing' }, { event: 'Signup' }, { page: '/' }],
];
const FUNNEL: { kind: 'page' | 'event'; match: string }[] = [
  { kind: 'page', match: '/' },
  { kind: 'page', match: '/pricing' },
  { kind: 'event', match: 'Signup' },
];
const hits = (s: { kind: string; match: string }, step: Step) =>
  s.kind === 'page' ? 'page' in step && step.page === s.match : 'event' in step && step.event === s.match;
/** The steps a visit went through in order, each of its hits counting for one step. */
const reached = (visit: Step[]) => visit.reduce((k, step) => (k < FUNNEL.length && hits(FUNNEL[k]!, step) ? k + 1 : k), 0);
const converted = VISITS.filter((v) => v.some((s) => 'event' in s && s.event === 'Signup')).length;
const funnelVisits = FUNNEL.map((_, i) => VISITS.filter((v) => reached(v) > i).length);
const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`;

let app: AppProcess;
let site: Server;
let siteUrl: string;
let browser: Browser;
let owner: BrowserContext;
let dashboard: Page;

function sitePage(path: string): string {
  if (path.startsWith('/frame/'))
    return `<!doctype html><title>embedding</title><iframe id="f" src="${app.url}${decodeURIComponent(path.slice('/frame/'.length))}" width="1200" height="800"></iframe>`;
  return `<!doctype html><html><head><title>${path}</title>
    <script defer src="${app.url}/scalehouse.js" data-site="example.com"></script></head><body><h1>${path}</h1></body></html>`;
}

beforeAll(async () => {
  app = await startApp({ DATA_DIR: tempDir('goals-ui'), DASHBOARD_PASSWORD: PASSWORD }, await freePort());
  site = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(sitePage(new URL(req.url!, 'http://x').pathname)),
  );
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await launchChromium([`--user-agent=${UA(0)}`]);
  owner = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  if (app && app.child.exitCode === null) await drainAndStop(app);
});

/** Waits for the dashboard's goals and funnels to be read after `since`. */
const goalsRead = (page: Page, since: number) =>
  page.waitForFunction((t) => Number(document.body.dataset.goalsLoaded ?? 0) > t, since, { timeout: 30_000 });
const stamp = (page: Page) => page.evaluate(() => Number(document.body.dataset.goalsLoaded ?? 0));
const openEditor = (id: string) =>
  dashboard.evaluate((i) => {
    (document.getElementById(i) as HTMLDetailsElement).open = true;
  }, id);
const cells = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));

describe('goals, funnels, CSV and shared links in Chromium', () => {
  it('counts the visits the real snippet sent', async () => {
    // Each visitor its own browser (user agent), so its own visit; pages are loads, events scalehouse(…).
    for (const [i, visit] of VISITS.entries()) {
      const context = await browser.newContext({ userAgent: UA(i + 1) });
      const page = await context.newPage();
      for (const step of visit) {
        if ('page' in step) {
          await page.goto(`${siteUrl}${step.page}`);
          await page.waitForFunction(() => typeof (window as unknown as { scalehouse?: unknown }).scalehouse === 'function');
        } else
          await page.evaluate(
            (name) => (window as unknown as { scalehouse: (n: string, p: object) => void }).scalehouse(name, { plan: 'pro' }),
            step.event,
          );
      }
      await context.close();
    }
    dashboard = await owner.newPage();
    await dashboard.goto(`${app.url}/login`);
    await dashboard.fill('#password', PASSWORD);
    await dashboard.click('button[type=submit]');
    await dashboard.waitForURL(`${app.url}/`);
    // Everything sent is loaded: the figures say so before anything is defined.
    await waitFor(
      'the visits and events the browsers sent',
      async () => {
        const get = (name: string) =>
          dashboard.evaluate(async (n) => (await (await fetch(`/api/stats/${n}?site=example.com`)).json()).data, name);
        const [overview, events] = [await get('overview'), await get('custom-events')];
        return overview.current.visits === VISITS.length &&
          events.find((e: { value: string }) => e.value === 'Signup')?.events === converted + 0
          ? true
          : undefined;
      },
      60_000,
    );
  });

  it('makes a goal and a three-step funnel in the forms, and shows the conversions of what was sent', async () => {
    await dashboard.goto(`${app.url}/?site=example.com`);
    await goalsRead(dashboard, 0);
    let since = await stamp(dashboard);
    await openEditor('goal-editor');
    await dashboard.fill('#goal-form input[name=name]', 'Signed up');
    await dashboard.selectOption('#goal-form select[name=kind]', 'event');
    await dashboard.fill('#goal-form input[name=match]', 'Signup');
    await dashboard.click('#goal-form button[type=submit]');
    await goalsRead(dashboard, since);
    expect(await cells(dashboard, '#goals tbody tr')).toEqual([
      ['Signed up', 'event: Signup', String(VISITS.length), String(converted), pct(converted, VISITS.length), 'Edit Delete'],
    ]);

    since = await stamp(dashboard);
    await openEditor('funnel-editor');
    await dashboard.fill('#funnel-form input[name=name]', 'Home to signup');
    await dashboard.click('#funnel-form .add-step');
    for (const [i, s] of FUNNEL.entries()) {
      await dashboard.selectOption(`#funnel-form .steps li:nth-child(${i + 1}) select`, s.kind);
      await dashboard.fill(`#funnel-form .steps li:nth-child(${i + 1}) input`, s.match);
    }
    await dashboard.click('#funnel-form button[type=submit]');
    await goalsRead(dashboard, since);
    expect(await cells(dashboard, '#funnels table.funnel tbody tr')).toEqual(
      FUNNEL.map((s, i) => [
        `${i + 1}. ${s.kind === 'page' ? s.match : `event: ${s.match}`}`,
        String(funnelVisits[i]),
        pct(funnelVisits[i]!, funnelVisits[0]!),
        `${(i === 0 ? VISITS.length : funnelVisits[i - 1]!) - funnelVisits[i]!} (${pct((i === 0 ? VISITS.length : funnelVisits[i - 1]!) - funnelVisits[i]!, i === 0 ? VISITS.length : funnelVisits[i - 1]!)})`,
        '',
      ]),
    );
    // What the test computed from what it sent: 7 visits, 5 of them Signup; 6 through /, 3 then /pricing, 2 then Signup.
    expect([converted, ...funnelVisits]).toEqual([5, 6, 3, 2]);
  });

  it('downloads a table as CSV holding the rows the API answers', async () => {
    const link = dashboard.locator('a.csv[data-query="pages"]');
    await link.waitFor({ state: 'visible' });
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/stats\/pages\?.*site=example\.com.*&format=csv$/);
    const [download] = await Promise.all([dashboard.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^example\.com_pages_\d{4}-\d\d-\d\dT\d{4}Z_\d{4}-\d\d-\d\dT\d{4}Z\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const api = await dashboard.evaluate(async (url) => (await (await fetch(url)).json()).data, href.replace('&format=csv', ''));
    // Paths and counts: no field here needs quoting (tests/integration/csv-export.test.ts reads every query with an RFC 4180 parser).
    const [header, ...lines] = csv
      .split('\r\n')
      .filter(Boolean)
      .map((l) => l.split(','));
    expect(header).toEqual(Object.keys(api[0]));
    expect(lines).toEqual(api.map((r: Record<string, unknown>) => header!.map((c) => (r[c] === null ? '' : String(r[c])))));
    expect(lines.map((l) => l[0]).sort()).toEqual(['/', '/blog/hello', '/pricing']);
  });

  it('shares the dashboard read-only with a link that works without a login, and opens nothing once revoked', async () => {
    await openEditor('share-editor');
    await dashboard.fill('#share-form input[name=label]', 'for the team');
    await dashboard.fill('#share-form input[name=origins]', siteUrl);
    await dashboard.click('#share-form button[type=submit]');
    await dashboard.locator('#share-made').waitFor({ state: 'visible' });
    const url = await dashboard.inputValue('#share-url');
    expect(url).toMatch(new RegExp(`^${app.url}/share/[A-Za-z0-9_-]{32}$`));
    await dashboard.locator('#shares tbody tr', { hasText: 'for the team' }).waitFor();
    expect(await cells(dashboard, '#shares tbody tr')).toEqual([['for the team', 'no', siteUrl, expect.any(String), 'Revoke']]);

    // A browser that never logged in.
    const stranger = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const shared = await stranger.newPage();
    await shared.goto(url);
    await goalsRead(shared, 0);
    expect(await shared.evaluate(() => document.body.className)).toBe('shared');
    expect(await shared.locator('.kpi', { hasText: 'Visits' }).locator('.value').first().innerText()).toBe(String(VISITS.length));
    expect((await cells(shared, '#goals tbody tr'))[0]!.slice(0, 5)).toEqual([
      'Signed up',
      'event: Signup',
      String(VISITS.length),
      String(converted),
      pct(converted, VISITS.length),
    ]);
    for (const hidden of ['#site', 'form[action="/logout"]', '#goal-editor', '#shares-card'])
      expect(await shared.locator(hidden).isVisible(), hidden).toBe(false);
    expect(await shared.evaluate(async () => (await fetch(`${location.origin}/api/stats/sites`)).status)).toBe(401); // the dashboard itself: no

    // Embedded in a page of the origin the owner listed.
    const embedding = await stranger.newPage();
    await embedding.goto(`${siteUrl}/frame/${encodeURIComponent(`${new URL(url).pathname}?embed=1`)}`);
    const frame = await waitFor('the embedded dashboard', async () => embedding.frames().find((f) => f.url().startsWith(`${url}?embed=1`)));
    await frame.waitForFunction(() => Number(document.body.dataset.loaded ?? 0) > 0, undefined, { timeout: 30_000 });
    expect(await frame.evaluate(() => [document.body.className, getComputedStyle(document.querySelector('header.bar')!).display])).toEqual([
      'shared embed',
      'none',
    ]);

    // Revoked in the dashboard: the link opens nothing, at once.
    dashboard.once('dialog', (d) => void d.accept());
    await dashboard.click('#shares button[data-revoke]');
    await dashboard.locator('#shares td.empty').waitFor();
    const after = await shared.goto(url);
    expect(after!.status()).toBe(404);
    expect(await shared.locator('h1').innerText()).toBe('No such link');
    expect(
      await shared.evaluate(async (u) => (await fetch(`${new URL(u).pathname}/api/stats/overview?site=example.com`)).status, url),
    ).toBe(404);
    await stranger.close();
  });

  it('lets no other origin frame a shared link', async () => {
    await openEditor('share-editor');
    await dashboard.fill('#share-form input[name=label]', 'not embeddable');
    await dashboard.fill('#share-form input[name=origins]', '');
    await dashboard.click('#share-form button[type=submit]');
    await dashboard.locator('#shares tbody tr', { hasText: 'not embeddable' }).waitFor();
    const url = await dashboard.inputValue('#share-url');
    const page = await (await browser.newContext()).newPage();
    const refused: string[] = [];
    page.on('console', (m) => refused.push(m.text()));
    await page.goto(`${siteUrl}/frame/${encodeURIComponent(`${new URL(url).pathname}?embed=1`)}`);
    await waitFor('Chromium to refuse the frame', async () =>
      refused.some((t) => t.includes("frame-ancestors 'none'")) ? true : undefined,
    );
    expect(page.frames().some((f) => f.url().startsWith(url) && f.url() !== 'chrome-error://chromewebdata/')).toBe(false);
  });
});
