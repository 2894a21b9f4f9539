/**
 * Filters filter every figure the same way (docs/metrics.md, "Filters"):
 * under every filter, clicking a row of any table gives an overview equal to
 * that row, and the time series add up to the overview. On a real log, in the
 * real engine, through the stats API.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { Hono } from 'hono';
import { statsRoutes } from '../../dashboard/api/routes.ts';
import { CHANNELS, DEVICES } from '../../dashboard/query/params.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { fixture } from '../helpers/fixtures.ts';

let ch: ClickHouse;
let app: Hono;
// secrepo-2021.log: 22–27 Oct 2021. Five days: unfiltered figures come from the rollups, filtered ones from raw events.
const RANGE = 'site=example.com&from=2021-10-22T00:00:00Z&to=2021-10-28T00:00:00Z';

beforeAll(async () => {
  ch = await freshClickHouse();
  // The log is secrepo.com's, loaded as example.com, with no SITE_HOSTS: the processor learns that
  // secrepo.com is the site's own host from visitors clicking from page to page.
  await replayFile(ch, fixture('logs/secrepo-2021.log'), { site: 'example.com', salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
  app = new Hono().route('/api/stats', statsRoutes({ ch }));
});
afterAll(async () => {
  await ch.close();
});

type Filters = Record<string, string>;
const get = async (name: string, filters: Filters) => {
  const res = await app.request(`/api/stats/${name}?${RANGE}&${new URLSearchParams({ limit: '1000', ...filters })}`);
  expect(res.status, `${name} ${JSON.stringify(filters)}`).toBe(200);
  return ((await res.json()) as { data: any }).data;
};
const overview = async (filters: Filters) => (await get('overview', filters)).current;

/** The tables whose rows set a session filter, and which values of theirs the API takes. */
const SESSION_TABLES: [table: string, filter: string, filterable: (v: string) => boolean][] = [
  ['channels', 'channel', (v) => (CHANNELS as readonly string[]).includes(v)],
  ['devices', 'device', (v) => (DEVICES as readonly string[]).includes(v)],
  ['countries', 'country', (v) => /^[A-Z]{2}$/.test(v)],
  ['entry-pages', 'entry', (v) => v.startsWith('/')],
];

/** One value of every filter, taken from the unfiltered tables: the second-busiest where there is one, so it is not "everything". */
async function filterValues(): Promise<Filters[]> {
  const out: Filters[] = [{}];
  for (const [table, filter, filterable] of SESSION_TABLES) {
    const values = ((await get(table, {})) as { value: string }[]).map((r) => r.value).filter(filterable);
    if (values.length) out.push({ [filter]: values[1] ?? values[0]! });
  }
  const pages = (await get('pages', {})) as { path: string }[];
  out.push({ page: pages[1]!.path }, { status: '4xx' });
  return out;
}

describe('every filter × every panel', () => {
  it('has something to filter by', async () => {
    const filters = await filterValues();
    expect(filters.map((f) => Object.keys(f)[0] ?? 'none')).toEqual(
      expect.arrayContaining(['none', 'channel', 'device', 'entry', 'page', 'status']),
    );
  });

  it("under every filter, a session table row equals the overview with that row's filter added", async () => {
    let checked = 0;
    for (const base of await filterValues()) {
      for (const [table, filter, filterable] of SESSION_TABLES) {
        if (filter in base) continue;
        const rowsOf = (await get(table, base)) as {
          value: string;
          visits: number;
          visitors: number;
          bounce_rate: number;
          avg_duration_s: number;
        }[];
        for (const row of rowsOf.filter((r) => filterable(r.value)).slice(0, 3)) {
          const o = await overview({ ...base, [filter]: row.value });
          const what = `${table}=${row.value} under ${JSON.stringify(base)}`;
          expect({ visits: o.visits, visitors: o.visitors, bounce_rate: o.bounce_rate, avg_duration_s: o.avg_duration_s }, what).toEqual({
            visits: row.visits,
            visitors: row.visitors,
            bounce_rate: row.bounce_rate,
            avg_duration_s: row.avg_duration_s,
          });
          checked++;
        }
        // The rows of a table are the overview's visits, split.
        expect(
          rowsOf.reduce((n, r) => n + r.visits, 0),
          `${table} under ${JSON.stringify(base)}`,
        ).toBe((await overview(base)).visits);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('under every filter, a page row equals the overview with the page filter added', async () => {
    for (const base of await filterValues()) {
      if ('page' in base) continue;
      const pages = (await get('pages', base)) as {
        path: string;
        pageviews: number;
        hits: number;
        errors_4xx: number;
        errors_5xx: number;
        visits?: number;
        visitors?: number;
      }[];
      expect(pages.length).toBeGreaterThan(0);
      for (const row of pages.slice(0, 4)) {
        const o = await overview({ ...base, page: row.path });
        const what = `page ${row.path} under ${JSON.stringify(base)}`;
        expect({ pageviews: o.pageviews, hits: o.hits, errors_4xx: o.errors_4xx, errors_5xx: o.errors_5xx }, what).toEqual({
          pageviews: row.pageviews,
          hits: row.hits,
          errors_4xx: row.errors_4xx,
          errors_5xx: row.errors_5xx,
        });
        // Rows read from raw events (any filter set) also say how many visits requested the page.
        if (row.visits !== undefined)
          expect({ visits: o.visits, visitors: o.visitors }, what).toEqual({ visits: row.visits, visitors: row.visitors });
      }
    }
  });

  it('under every filter, the status chart and the time series add up to the overview', async () => {
    for (const base of await filterValues()) {
      const o = await overview(base);
      const series = (await get('timeseries', { ...base, granularity: 'hour' })).current as {
        hits: number;
        pageviews: number;
        visits: number;
      }[];
      const sum = (k: 'hits' | 'pageviews' | 'visits') => series.reduce((n, p) => n + p[k], 0);
      expect({ hits: sum('hits'), pageviews: sum('pageviews'), visits: sum('visits') }, JSON.stringify(base)).toEqual({
        hits: o.hits,
        pageviews: o.pageviews,
        visits: o.visits,
      });
      if ('status' in base) continue;
      const status = (await get('status', { ...base, granularity: 'day' })) as { s4xx: number }[];
      expect((await overview({ ...base, status: '4xx' })).hits, JSON.stringify(base)).toBe(status.reduce((n, s) => n + s.s4xx, 0));
    }
  });

  it("a session filter keeps the session's later hits, whatever their own referrer", async () => {
    // Clicks within the site are internal hits, but no visit comes from "internal": they stay in the visit they belong to.
    const [internal] = await rows<{ n: number }>(ch, "SELECT count() AS n FROM events WHERE channel = 'internal'");
    expect(internal!.n).toBeGreaterThan(100);
    expect(await rows(ch, 'SELECT host FROM site_hosts')).toEqual([{ host: 'secrepo.com' }]);
    // The site is not its own referrer, not even for sessions written before the host was learned.
    expect(((await get('referrers', {})) as { value: string }[]).map((r) => r.value)).not.toContain('secrepo.com');
    expect((await overview({ channel: 'internal' })).visits).toBe(0);
    const all = await overview({});
    const byChannel = await Promise.all(CHANNELS.filter((c) => c !== 'internal').map((c) => overview({ channel: c })));
    const sum = (k: string) => byChannel.reduce((n, o) => n + o[k], 0);
    expect({ visits: sum('visits'), pageviews: sum('pageviews'), hits: sum('hits') }).toEqual({
      visits: all.visits,
      pageviews: all.pageviews,
      hits: all.hits,
    });
  });
});
