/**
 * The snippet in Debian's Chromium (playwright-core) on pages of a test site,
 * against a real `scalehouse start`: what each visit does lands in ClickHouse
 * as exactly the expected events, engaged time included.
 *
 * The pages come from a small node:http server on a port of their own, so the
 * beacon is cross-origin as on real sites: the script is loaded from the
 * collector, the API is found from its src, and sendBeacon and fetch
 * (keepalive) go through CORS as they do in the field — a same-origin page
 * would hide all of that.
 *
 * Engaged time is measured with Playwright's fake clock, paused: the test moves
 * time on by exact amounts (no sleeping), so each page's engaged time is known
 * to the millisecond, and time spent hidden must not count.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';
import { drainAndStop, freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

declare global {
  interface Window {
    scalehouse: ((...args: unknown[]) => void) & { q?: unknown[] };
  }
}

// Chromium headless says "HeadlessChrome", which is a bot; a person's browser does not.
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const STUB = 'window.scalehouse = window.scalehouse || function () { (window.scalehouse.q = window.scalehouse.q || []).push(arguments) };';

let app: AppProcess;
let site: Server;
let siteUrl: string;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;

/** The pages of the test site: `/files/…` are downloads; any other path is a page with the snippet and what its query names. */
function sitePage(path: string): string {
  const attrs: Record<string, string> = {
    '/app': 'data-outbound="true" data-downloads="true"',
    '/hash': 'data-hash="true"',
  };
  const body: Record<string, string> = {
    '/app': `<script>${STUB} scalehouse('Queued', { source: 'stub', nested: { dropped: true } });</script>
      <a id="download" href="/files/report.PDF">report</a> <a id="about" href="/app/about">about</a>
      <a id="mail" href="mailto:team@example.com">mail</a> <a id="outbound" href="https://example.org/docs">docs</a>
      <script>document.getElementById('about').addEventListener('click', (e) => { e.preventDefault(); history.pushState({}, '', '/app/about'); });</script>`,
    '/broken/throws': `<script>${STUB} throw new Error('the page\\'s own bug');</script>`,
  };
  const key = Object.keys(attrs).find((p) => path === p || path.startsWith(`${p}/`)) ?? path;
  return `<!doctype html><html><head><title>${path}</title>${body[key] ?? `<script>${STUB}</script>`}
    <script defer src="${app.url}/scalehouse.js" data-site="example.com" ${attrs[key] ?? ''}></script></head>
    <body><h1>${path}</h1><script>scalehouse('${path.split('/').pop()} ready', { path: location.pathname }); document.body.dataset.ran = 'yes';</script></body></html>`;
}

beforeAll(async () => {
  dataDir = tempDir('snippet');
  app = await startApp({ DATA_DIR: dataDir, DASHBOARD_PASSWORD: 'unused in this test' }, await freePort());
  site = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path.startsWith('/files/'))
      return res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'attachment' }).end('%PDF-1.4');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(sitePage(path));
  });
  // On an address of its own, as a real site's host is never its visitor's address: the browser reaches
  // the collector from 127.0.0.1, and an address of the visitor's in a URL is replaced (docs/privacy.md).
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.2', resolve));
  siteUrl = `http://127.0.0.2:${(site.address() as AddressInfo).port}`;
  // The browser's own user agent, not only the pages' (a context's userAgent): a beacon sent while a page
  // leaves for another site goes out with the browser's, and HeadlessChrome's would be counted as a bot's.
  browser = await launchChromium([`--user-agent=${USER_AGENT}`]);
  context = await browser.newContext({ userAgent: USER_AGENT, acceptDownloads: true });
  // The outbound link's site, answered here: the test reaches nothing beyond this machine.
  await context.route('https://example.org/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>elsewhere</title>' }));
}, 600_000); // installing Chromium on a fresh machine takes a while

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  if (app && app.child.exitCode === null) await drainAndStop(app);
});

/** What a page did: its errors and the beacon requests it made (URL path of the page, resource type). */
interface Visit {
  page: Page;
  errors: string[];
  beacons: string[];
}

/** Opens `path` on a paused fake clock, with `init` run before any script of the page, and waits for the snippet to be in place. */
async function visit(path: string, init?: () => void): Promise<Visit> {
  const page = await context.newPage();
  const v: Visit = { page, errors: [], beacons: [] };
  page.on('pageerror', (e) => v.errors.push(e.message));
  page.on('request', (r) => {
    if (r.url() === `${app.url}/api/event`) v.beacons.push(r.resourceType());
  });
  if (init) await page.addInitScript(init);
  await page.clock.install();
  await page.clock.pauseAt(Date.now() + 60_000);
  await page.goto(`${siteUrl}${path}`);
  // The real function has no queue; the stub (or the page before the snippet ran) has one.
  await page.waitForFunction(
    () => document.body?.dataset.ran === 'yes' && typeof window.scalehouse === 'function' && !('q' in window.scalehouse),
  );
  return v;
}
const spend = (v: Visit, ms: number) => v.page.clock.fastForward(ms);
const setHidden = (v: Visit, hidden: boolean) =>
  v.page.evaluate((h) => {
    // Headless Chromium never hides a page: the document says it is, and tells the page as a browser would.
    if (h)
      for (const [k, value] of [
        ['visibilityState', 'hidden'],
        ['hidden', true],
      ] as const)
        Object.defineProperty(document, k, { value, configurable: true });
    else for (const k of ['visibilityState', 'hidden']) delete (document as unknown as Record<string, unknown>)[k];
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);

type Row = { event_type: string; path: string; event_name: string; props: Record<string, string>; engaged_ms: number };
const pv = (path: string): Row => ({ event_type: 'pageview', path, event_name: '', props: {}, engaged_ms: 0 });
const engaged = (path: string, ms: number): Row => ({ event_type: 'engagement', path, event_name: '', props: {}, engaged_ms: ms });
const ev = (path: string, name: string, props: Record<string, string> = {}): Row => ({
  event_type: 'event',
  path,
  event_name: name,
  props,
  engaged_ms: 0,
});
const ready = (path: string) => ev(path, `${path.split('/').pop()} ready`, { path });
const sorted = (xs: Row[]) => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** A raw GET of the running app (node:http does not decode), with the size of the body as sent. */
const served = (path: string, headers: Record<string, string>) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; bytes: number }>((resolve, reject) => {
    get(`${app.url}${path}`, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes }));
    }).on('error', reject);
  });

describe('the snippet in Chromium', () => {
  it('is served by scalehouse start within its budget: at most 1,024 bytes gzipped, less with brotli, and 304 while unchanged', async () => {
    const gzip = await served('/scalehouse.js', { 'accept-encoding': 'gzip, deflate' });
    const br = await served('/scalehouse.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect([gzip.status, gzip.headers['content-encoding'], br.status, br.headers['content-encoding']]).toEqual([200, 'gzip', 200, 'br']);
    expect(gzip.bytes).toBeLessThanOrEqual(1024);
    expect(br.bytes).toBeLessThan(gzip.bytes);
    const again = await served('/scalehouse.js', { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': String(br.headers.etag) });
    expect([again.status, again.bytes, again.headers.etag]).toEqual([304, 0, br.headers.etag]);
  });

  it("sends exactly the visits' pageviews, engaged time, custom, outbound and download events; nothing for GPC, DNT or a blocked endpoint; and breaks no page", async () => {
    const expected: Row[] = [];

    // A single-page app: a call queued before the snippet loaded, then every kind of navigation.
    const a = await visit('/app');
    expected.push(pv('/app'), ev('/app', 'Queued', { source: 'stub' }), ready('/app'));
    await spend(a, 5_000);
    await a.page.evaluate(() => history.pushState({}, '', '/app/pricing'));
    expected.push(engaged('/app', 5_000), pv('/app/pricing'));
    // Not a new page: the same URL again, a state of its own, a fragment without data-hash.
    await a.page.evaluate(() => {
      history.pushState({}, '', location.href);
      history.replaceState({ tab: 2 }, '', location.href);
      location.hash = '#faq';
    });
    await spend(a, 3_000);
    await a.page.evaluate(() => history.replaceState({}, '', '/app/plans'));
    expected.push(engaged('/app/pricing', 3_000), pv('/app/plans'));
    await spend(a, 2_000);
    await a.page.evaluate(() => history.pushState({}, '', '/app/signup'));
    expected.push(engaged('/app/plans', 2_000), pv('/app/signup'));
    await spend(a, 1_500);
    await a.page.goBack(); // popstate
    expect(new URL(a.page.url()).pathname).toBe('/app/plans');
    expected.push(engaged('/app/signup', 1_500), pv('/app/plans'));
    // Hidden for a minute: only the visible time counts, sent when hidden and when the page changes.
    await spend(a, 2_000);
    await setHidden(a, true);
    expected.push(engaged('/app/plans', 2_000));
    await spend(a, 60_000);
    await setHidden(a, false);
    await spend(a, 4_000);
    // Custom events: only a string name; only flat properties.
    await a.page.evaluate(() => {
      window.scalehouse('Signup', { plan: 'pro', seats: 3, annual: true, nested: { a: 1 }, list: [1] });
      window.scalehouse(42);
      window.scalehouse('');
      window.scalehouse();
    });
    expected.push(ev('/app/plans', 'Signup', { plan: 'pro', seats: '3', annual: 'true' }));
    const download = a.page.waitForEvent('download');
    await a.page.click('#download');
    await download;
    expected.push(ev('/app/plans', 'File Download', { url: `${siteUrl}/files/report.PDF` }));
    await a.page.click('#mail'); // neither outbound (not http) nor a download
    await a.page.click('#about'); // the app's own router: a page, not an outbound link
    expect(new URL(a.page.url()).pathname).toBe('/app/about');
    expected.push(engaged('/app/plans', 4_000), pv('/app/about'));
    await spend(a, 2_000);
    await a.page.click('#outbound');
    await a.page.waitForURL('https://example.org/docs');
    expected.push(ev('/app/about', 'Outbound Link: Click', { url: 'https://example.org/docs' }), engaged('/app/about', 2_000));

    // Hash routes, opted in; then the tab is closed.
    const h = await visit('/hash#/inbox');
    expected.push(pv('/hash#/inbox'), ev('/hash#/inbox', 'hash ready', { path: '/hash' }));
    await spend(h, 2_000);
    await h.page.evaluate(() => {
      location.hash = '#/settings';
    });
    await h.page.waitForFunction(() => location.hash === '#/settings');
    expected.push(engaged('/hash#/inbox', 2_000), pv('/hash#/settings'));
    await spend(h, 3_000);
    await h.page.close();
    expected.push(engaged('/hash#/settings', 3_000));

    // Visitors who asked not to be tracked: the page works, and nothing leaves the browser.
    const gpc = await visit('/private/gpc', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    const dnt = await visit('/private/dnt', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }));

    // Pages in trouble: one that throws, one without sendBeacon (fetch keepalive instead), one whose beacons are blocked.
    const throws = await visit('/broken/throws');
    expected.push(pv('/broken/throws'), ready('/broken/throws'));
    const noBeacon = await visit('/broken/no-beacon', () => {
      delete (Navigator.prototype as Partial<Navigator>).sendBeacon;
    });
    expected.push(pv('/broken/no-beacon'), ready('/broken/no-beacon'));
    await spend(noBeacon, 2_000);
    await noBeacon.page.close();
    expected.push(engaged('/broken/no-beacon', 2_000));
    // Blocked as an ad blocker would, until the end (a beacon of a closing page may come after the page is gone).
    await context.route('**/api/event', (route) => route.abort('blockedbyclient'));
    const blocked = await visit('/broken/blocked');
    await blocked.page.evaluate(() => {
      history.pushState({}, '', '/broken/blocked/next');
      window.scalehouse('Blocked');
    });
    await spend(blocked, 2_000);
    await blocked.page.evaluate(() => history.back());
    await blocked.page.waitForURL(/\/broken\/blocked$/);

    expect({
      a: a.errors,
      h: h.errors,
      gpc: gpc.errors,
      dnt: dnt.errors,
      throws: throws.errors,
      noBeacon: noBeacon.errors,
      blocked: blocked.errors,
    }).toEqual({ a: [], h: [], gpc: [], dnt: [], throws: ["the page's own bug"], noBeacon: [], blocked: [] });
    // The requests a page made while open (those of its closing are not reported to it): sendBeacon's are "ping".
    expect({
      gpc: gpc.beacons,
      dnt: dnt.beacons,
      noBeacon: noBeacon.beacons.slice(0, 2),
      others: new Set([...a.beacons, ...h.beacons, ...throws.beacons]),
    }).toEqual({ gpc: [], dnt: [], noBeacon: ['fetch', 'fetch'], others: new Set(['ping']) });
    expect(new Set(noBeacon.beacons)).toEqual(new Set(['fetch']));
    expect(blocked.beacons.length).toBeGreaterThanOrEqual(3); // it tried, and the page did not mind

    // Until the collector took them all; should some never come, the comparison below says which.
    await waitFor(`the collector to accept ${expected.length} beacons`, async () => {
      const { body } = await app.readyz();
      return Number(body.accepted) >= expected.length ? true : undefined;
    }).catch(() => undefined);
    // Not even refused as opted out: the GPC and DNT pages sent nothing at all.
    expect((await app.readyz()).body).toMatchObject({ opted_out: 0, refused: {} });
    await drainAndStop(app);
    const ch = await dataDirClickHouse(dataDir);
    try {
      const loaded = await rows<Row>(ch, 'SELECT event_type, path, event_name, props, engaged_ms FROM events WHERE site = {site:String}', {
        site: 'example.com',
      });
      expect(sorted(loaded)).toEqual(sorted(expected));
      const [figures] = await rows(
        ch,
        "SELECT sum(engaged_ms) AS engaged_ms, sum(pageviews) AS pageviews FROM sessions FINAL WHERE site = 'example.com'",
      );
      expect(figures).toEqual({ engaged_ms: 26_500, pageviews: expected.filter((r) => r.event_type === 'pageview').length });
      expect(await rows(ch, 'SELECT reason FROM dead_letters')).toEqual([]);
    } finally {
      await ch.close();
    }
  });
});
