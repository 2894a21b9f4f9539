/**
 * Access log and beacon together, through the processor into the real engine
 * and out of the stats API: a pageview both report counts once, what only the
 * log saw is reported as such, the beacon's engaged time becomes time on site,
 * custom events and hash routes show, and response times are "no data" where
 * the source has no timing.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { Hono } from 'hono';
import { statsRoutes } from '../../dashboard/api/routes.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { beaconHit } from '../../common/hit.ts';
import type { BusRecord } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { clfTime, logRecord, TODAY } from '../helpers/hits.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const T0 = TODAY + 8 * 3_600_000;
const at = (s: number) => T0 + s * 1000;
// Under a day reads raw events; a whole day reads the rollups: both must say the same.
const RANGE = `site=example.com&from=${TODAY}&to=${TODAY + 86_400_000 - 1}`;
const DAY = `site=example.com&from=${TODAY}&to=${TODAY + 86_400_000}`;

let ch: ClickHouse;
let app: Hono;
let offset = 0;
const json = (ip: string, s: number, path: string, ms: number | null) =>
  logRecord(
    JSON.stringify({
      msec: String(at(s) / 1000),
      remote_addr: ip,
      host: 'example.com',
      request_method: 'GET',
      request_uri: path,
      status: '200',
      body_bytes_sent: '1000',
      ...(ms === null ? {} : { request_time: String(ms / 1000) }),
      http_referer: '',
      http_user_agent: UA,
    }),
    ++offset,
  );
const combined = (ip: string, s: number, path: string) =>
  logRecord(`${ip} - - [${clfTime(at(s))}] "GET ${path} HTTP/1.1" 200 10 "-" "${UA}"`, ++offset);
const beacon = (ip: string, s: number, payload: Record<string, unknown>): BusRecord => ({
  value: JSON.stringify(
    beaconHit('example.com', { url: 'https://example.com/', ...payload }, { receivedAt: at(s), client: ip, headers: { userAgent: UA } }),
  ),
  position: `b@${++offset}`,
  offset,
});

beforeAll(async () => {
  ch = await freshClickHouse();
  const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
  const A = '192.0.2.1'; // runs the beacon
  const B = '192.0.2.2'; // blocks it
  const C = '192.0.2.3'; // a single-page app with hash routes, found through the combined log of another server
  const records = [
    json(A, 0, '/', 120),
    beacon(A, 1, { type: 'pageview', url: 'https://example.com/' }),
    json(A, 20, '/pricing', 80),
    beacon(A, 21, { type: 'pageview', url: 'https://example.com/pricing' }),
    beacon(A, 50, { type: 'event', url: 'https://example.com/pricing', name: 'signup', props: { plan: 'pro' } }),
    beacon(A, 90, { type: 'engagement', url: 'https://example.com/pricing', engaged_ms: 70_000 }),
    json(B, 5, '/', 100),
    json(B, 40, '/pricing', 60),
    combined(C, 100, '/app'),
    beacon(C, 101, { type: 'pageview', url: 'https://example.com/app#/settings', hash: true }),
    beacon(C, 130, { type: 'pageview', url: 'https://example.com/app#/billing', hash: true }),
    json('192.0.2.4', 200, '/untimed', null),
  ];
  // The beacon's copy of A's first pageview arrives before the log's: either way round counts once.
  [records[0], records[1]] = [records[1]!, records[0]!];
  await handle({ records: records.map((r, i) => ({ ...r, offset: i + 1 })), token: 'mixed', stream: 'mixed' });
  app = new Hono().route('/api/stats', statsRoutes({ ch }));
});
afterAll(async () => {
  await ch.close();
});

const get = async (name: string, extra = '', range = RANGE) =>
  ((await (await app.request(`/api/stats/${name}?${range}${extra}`)).json()) as { data: any }).data;

describe('access log and beacon together', () => {
  it('count a pageview both report once, and say which pages only the log saw', async () => {
    const o = (await get('overview')).current;
    // A: / and /pricing (each seen twice); B: / and /pricing (log only); C: /app (and the beacon's /app#/settings), /app#/billing; /untimed (log only).
    expect({ pageviews: o.pageviews, beacon_pageviews: o.beacon_pageviews, log_only_pageviews: o.log_only_pageviews }).toEqual({
      pageviews: 7,
      beacon_pageviews: 4,
      log_only_pageviews: 3,
    });
    expect(await rows(ch, 'SELECT source, path FROM events WHERE twin = 1 ORDER BY path')).toEqual([
      { source: 'log', path: '/' },
      { source: 'beacon', path: '/app' },
      { source: 'beacon', path: '/pricing' },
    ]);
    const pages = Object.fromEntries(
      ((await get('pages')) as { path: string; pageviews: number; log_only_pageviews: number }[]).map((p) => [
        p.path,
        [p.pageviews, p.log_only_pageviews],
      ]),
    );
    expect(pages).toMatchObject({ '/': [2, 1], '/pricing': [2, 1], '/app': [1, 0], '/app#/billing': [1, 0], '/untimed': [1, 1] });
    // The rollups (pages_hour, traffic_minute) say the same for a whole day.
    const columns = ['path', 'pageviews', 'hits', 'beacon_pageviews', 'log_only_pageviews', 'avg_time_ms', 'avg_engaged_s'];
    const pick = (list: Record<string, unknown>[]) => list.map((p) => Object.fromEntries(columns.map((c) => [c, p[c]])));
    expect(pick(await get('pages', '', DAY))).toEqual(pick(await get('pages')));
    expect((await get('overview', '', DAY)).current).toMatchObject({ pageviews: 7, beacon_pageviews: 4, log_only_pageviews: 3 });
  });

  it("take time on site from the beacon's engaged time, and a visit with engagement or an event is no bounce", async () => {
    const sessions = await rows(
      ch,
      'SELECT entry_path, pageviews, events, engaged_ms, duration_s, is_bounce FROM sessions FINAL ORDER BY entry_path, duration_s DESC',
    );
    expect(sessions).toEqual([
      { entry_path: '/', pageviews: 2, events: 1, engaged_ms: 70_000, duration_s: 70, is_bounce: 0 }, // A
      { entry_path: '/', pageviews: 2, events: 0, engaged_ms: 0, duration_s: 35, is_bounce: 0 }, // B: last − first hit
      { entry_path: '/app', pageviews: 2, events: 0, engaged_ms: 0, duration_s: 30, is_bounce: 0 }, // C
      { entry_path: '/untimed', pageviews: 1, events: 0, engaged_ms: 0, duration_s: 0, is_bounce: 1 },
    ]);
    const pricing = ((await get('pages')) as { path: string; avg_engaged_s: number | null }[]).find((p) => p.path === '/pricing');
    expect(pricing!.avg_engaged_s).toBe(70);
  });

  it('show custom events with their properties, as a table and over time', async () => {
    expect(await get('custom-events')).toEqual([{ value: 'signup', events: 1, visitors: 1 }]);
    expect(await get('custom-event-props', '&event=signup')).toEqual([{ key: 'plan', value: 'pro', events: 1, visitors: 1 }]);
    expect(await get('custom-events-timeseries', '&granularity=hour')).toEqual([{ t: T0 / 1000, value: 'signup', events: 1 }]);
  });

  it('show response times only where the log carried them', async () => {
    const pages = Object.fromEntries(
      ((await get('pages')) as { path: string; avg_time_ms: number | null }[]).map((p) => [p.path, p.avg_time_ms]),
    );
    expect(pages).toMatchObject({ '/': 110, '/pricing': 70, '/untimed': null, '/app': null, '/app#/billing': null });
    const rt = (await get('response-times', '&granularity=hour')) as { q: number[]; hits: number }[];
    expect(rt.map((p) => p.hits)).toEqual([4]);
    const untimed = (await get('response-times', '&granularity=hour&page=/untimed')) as unknown[];
    expect(untimed).toEqual([]);
  });
});
