/**
 * The dashboard's query API on real data (the shared access logs replayed into
 * the real engine): every named query answers with sane figures, rollups and
 * raw events agree, and hostile parameters are refused with a 400.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { Hono } from 'hono';
import { statsRoutes } from '../../dashboard/api/routes.ts';
import { withReadLimits } from '../../clickhouse/connect.ts';
import { QUERIES } from '../../dashboard/api/queries.ts';
import { knownSites } from '../../dashboard/api/known-sites.ts';
import { handleError } from '../../server/handle-error.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, HUMAN_EVENTS, HUMAN_SESSIONS, rows } from '../helpers/clickhouse.ts';
import { fixture } from '../helpers/fixtures.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { chTime } from '../../clickhouse/time.ts';
import { humanLines, readCombinedLog } from '../helpers/read-log.ts';

let ch: ClickHouse;
const LIMITS = { maxSeconds: 30, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 100_000 };
let app: Hono;
// secrepo-2021.log spans 22–28 Oct 2021 (-0700). Its human hits and bot hits, counted from the file.
const LINES = readCombinedLog(fixture('logs/secrepo-2021.log'));
const HUMANS = humanLines(LINES).length;
const BOTS = LINES.length - HUMANS;
const RANGE = 'site=secrepo.example&from=2021-10-22T00:00:00Z&to=2021-10-29T00:00:00Z';

beforeAll(async () => {
  ch = await freshClickHouse();
  await replayFile(ch, fixture('logs/secrepo-2021.log'), {
    site: 'secrepo.example',
    salts: new SaltStore(ch),
    sessionTimeoutMs: 1_800_000,
  });
  await replayFile(ch, fixture('logs/hackers-access.log'), {
    site: 'hackers.example',
    salts: new SaltStore(ch),
    sessionTimeoutMs: 1_800_000,
  });
  app = new Hono();
  // Every query runs under the limits `scalehouse start` gives the dashboard (read-only, time, memory, rows).
  app.route('/api/stats', statsRoutes({ ch: withReadLimits(ch, LIMITS) }));
  app.onError(handleError);
});
afterAll(async () => {
  await ch.close();
});

const get = async (path: string) => {
  const res = await app.request(path);
  return {
    status: res.status,
    body: (await res.json()) as { source: string; from: string; to: string; data: any; error?: string; message?: string },
  };
};

describe('query API on real data', () => {
  it('has a test below for every named query (goals and funnels: goals-funnels.test.ts)', () => {
    expect(Object.keys(QUERIES).sort()).toEqual([
      'alerts',
      'bot-reasons',
      'bots',
      'browsers',
      'channels',
      'countries',
      'custom-event-props',
      'custom-events',
      'custom-events-timeseries',
      'devices',
      'entry-pages',
      'exit-pages',
      'failing-paths',
      'funnels',
      'goals',
      'goals-by-channel',
      'goals-by-referrer',
      'heatmap',
      'non-page-referrers',
      'os',
      'overview',
      'pages',
      'pipeline',
      'referrers',
      'response-times',
      'sites',
      'status',
      'timeseries',
      'utm-campaigns',
      'utm-mediums',
      'utm-sources',
    ]);
  });

  it("alerts: the site's and the pipeline's, firing first, then those of the range; never another site's", async () => {
    // Alerts are kept 400 days (TTL): this test's are of the last weeks, not of the log's 2021.
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const at = (days: number, hours: number) => chTime(day - days * 86_400_000 + hours * 3_600_000);
    const alert = (ts: string, key: string, site: string, state: string) => ({
      ts,
      alert_key: key,
      rule: key.split('|')[0],
      site,
      subject: key.split('|')[2],
      state,
      value: 1,
      expected: 2,
      summary: `${key} ${state}`,
      url: '',
      delivered: 1,
    });
    await insertRows(
      ch,
      'alert_events',
      [
        alert(at(20, 8), 'traffic_drop|secrepo.example|', 'secrepo.example', 'firing'), // still firing: shown, though it began before the range
        alert(at(5, 9), 'traffic_spike|secrepo.example|', 'secrepo.example', 'firing'),
        alert(at(5, 10), 'traffic_spike|secrepo.example|', 'secrepo.example', 'resolved'),
        alert(at(4, 10), 'dead_letters||bad_json', '', 'firing'),
        alert(at(4, 11), 'traffic_spike|hackers.example|', 'hackers.example', 'firing'),
        alert(at(25, 10), 'error_rate_5xx|secrepo.example|', 'secrepo.example', 'firing'),
        alert(at(25, 11), 'error_rate_5xx|secrepo.example|', 'secrepo.example', 'resolved'), // recovered before the range
      ],
      'test:alerts',
    );
    const range = `site=secrepo.example&from=${new Date(day - 7 * 86_400_000).toISOString()}&to=${new Date(day + 86_400_000).toISOString()}`;
    const { status, body } = await get(`/api/stats/alerts?${range}`);
    expect(status).toBe(200);
    expect(body.data.map((a: { key: string; state: string }) => [a.key, a.state])).toEqual([
      ['dead_letters||bad_json', 'firing'],
      ['traffic_drop|secrepo.example|', 'firing'],
      ['traffic_spike|secrepo.example|', 'resolved'],
    ]);
    const spike = body.data.find((a: { key: string }) => a.key === 'traffic_spike|secrepo.example|');
    // Times in ISO 8601, as `from` and `to`; never resolved: null.
    expect([spike.fired_at, spike.resolved_at]).toEqual([
      new Date(day - 5 * 86_400_000 + 9 * 3_600_000).toISOString(),
      new Date(day - 5 * 86_400_000 + 10 * 3_600_000).toISOString(),
    ]);
    const drop = body.data.find((a: { key: string }) => a.key === 'traffic_drop|secrepo.example|');
    expect([drop.fired_at, drop.resolved_at]).toEqual([new Date(day - 20 * 86_400_000 + 8 * 3_600_000).toISOString(), null]);
  });

  it('overview: figures from the rollups equal the raw tables, with the previous period', async () => {
    const { status, body } = await get(`/api/stats/overview?${RANGE}&compare=previous`);
    expect(status).toBe(200);
    expect(body.source).toBe('rollup');
    // Visits are sessions with a pageview; visitors are the distinct visitors of those (docs/metrics.md).
    const [raw] = await rows(
      ch,
      `SELECT count() AS hits, countIf(is_pageview = 1) AS pageviews,
      countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
      (SELECT sum(hits) FROM bots_minute WHERE site = 'secrepo.example') AS bot_hits,
      (SELECT count() FROM ${HUMAN_SESSIONS} WHERE site = 'secrepo.example' AND pageviews > 0) AS visits,
      (SELECT uniqExact(visitor_id) FROM ${HUMAN_SESSIONS} WHERE site = 'secrepo.example' AND pageviews > 0) AS visitors
      FROM ${HUMAN_EVENTS} WHERE site = 'secrepo.example'`,
    );
    expect(body.data.current).toMatchObject(raw!);
    expect(body.data.current.hits).toBe(HUMANS);
    expect(body.data.current.bounce_rate).toBeGreaterThan(0);
    expect(body.data.current.bounce_rate).toBeLessThanOrEqual(1);
    expect(body.data.current.avg_duration_s).toBeGreaterThan(0);
    expect(body.data.previous).toMatchObject({ hits: 0, pageviews: 0 });
  });

  it('overview and timeseries: the period before, read with the range, equals that period read alone and the raw events', async () => {
    // The data spans 22–28 Oct: the range from noon on the 25th has a previous period (3.5 days) with data in it.
    const range = (from: string, to: string) => `site=secrepo.example&from=2021-10-${from}:00:00Z&to=2021-10-${to}:00:00Z`;
    const [raw] = await rows(
      ch,
      `SELECT count() AS hits FROM ${HUMAN_EVENTS} WHERE site = 'secrepo.example' AND ts >= '2021-10-22 00:00:00' AND ts < '2021-10-25 12:00:00'`,
    );
    for (const filter of ['', '&page=/', '&channel=direct']) {
      for (const name of ['overview', 'timeseries']) {
        const both = (await get(`/api/stats/${name}?${range('25T12', '29T00')}${filter}&compare=previous`)).body;
        const before = (await get(`/api/stats/${name}?${range('22T00', '25T12')}${filter}`)).body;
        const after = (await get(`/api/stats/${name}?${range('25T12', '29T00')}${filter}`)).body;
        expect(both.source).toBe(filter ? 'events' : 'rollup');
        expect(both.data.previous).toEqual(before.data.current);
        expect(both.data.current).toEqual(after.data.current);
        const hits =
          name === 'overview' ? both.data.previous.hits : both.data.previous.reduce((n: number, p: { hits: number }) => n + p.hits, 0);
        expect(hits).toBeGreaterThan(0);
        if (!filter) expect(hits).toBe(raw!.hits);
      }
    }
  });

  it('overview with a filter reads raw events, and the numbers change accordingly', async () => {
    const all = (await get(`/api/stats/overview?${RANGE}`)).body.data.current;
    const { body } = await get(`/api/stats/overview?${RANGE}&status=4xx`);
    expect(body.source).toBe('events');
    expect(body.data.current.hits).toBe(all.errors_4xx);
    expect(body.data.current.errors_5xx).toBe(0);
    const page = await get(`/api/stats/overview?${RANGE}&page=/`);
    expect(page.body.data.current.hits).toBeLessThan(all.hits);
    expect(page.body.data.current.hits).toBeGreaterThan(0);
  });

  it('timeseries: points add up to the overview, at the granularity asked', async () => {
    const { body } = await get(`/api/stats/timeseries?${RANGE}&granularity=hour`);
    expect(body.data.bucket).toBe(3600);
    const points = body.data.current as { t: number; hits: number; visitors: number; visits: number }[];
    expect(points.reduce((n, p) => n + p.hits, 0)).toBe(HUMANS);
    const overview = (await get(`/api/stats/overview?${RANGE}`)).body.data.current;
    expect(points.reduce((n, p) => n + p.visits, 0)).toBe(overview.visits);
    expect(points.every((p) => p.t % 3600 === 0 && p.visitors <= p.visits && (p.visits === 0) === (p.visitors === 0))).toBe(true);
    const daily = await get(`/api/stats/timeseries?${RANGE}&granularity=day&channel=direct`);
    expect(daily.body.source).toBe('events');
    expect(daily.body.data.current.length).toBeLessThanOrEqual(7);
  });

  it('heatmap, pages, failing paths and status agree with the raw events', async () => {
    const heat = (await get(`/api/stats/heatmap?${RANGE}`)).body.data as { weekday: number; hour: number; hits: number }[];
    expect(heat.reduce((n, c) => n + c.hits, 0)).toBe(HUMANS);
    expect(heat.every((c) => c.weekday >= 1 && c.weekday <= 7 && c.hour >= 0 && c.hour <= 23)).toBe(true);

    const pages = (await get(`/api/stats/pages?${RANGE}&limit=5`)).body.data as { path: string; pageviews: number }[];
    const rawPages = await rows(
      ch,
      `SELECT path, countIf(is_pageview = 1) AS pageviews FROM ${HUMAN_EVENTS} WHERE site = 'secrepo.example' GROUP BY path ORDER BY pageviews DESC, count() DESC, path LIMIT 5`,
    );
    expect(pages.map(({ path, pageviews }) => ({ path, pageviews }))).toEqual(rawPages);

    const failing = (await get(`/api/stats/failing-paths?${RANGE}`)).body.data as { errors_4xx: number; errors_5xx: number }[];
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((f) => f.errors_4xx + f.errors_5xx > 0)).toBe(true);

    const status = (await get(`/api/stats/status?${RANGE}&granularity=day`)).body.data as {
      s2xx: number;
      s3xx: number;
      s4xx: number;
      s5xx: number;
      error_rate: number;
    }[];
    expect(status.reduce((n, s) => n + s.s2xx + s.s3xx + s.s4xx + s.s5xx, 0)).toBe(HUMANS);
    expect(status.every((s) => s.error_rate >= 0 && s.error_rate <= 1)).toBe(true);
  });

  it('session breakdowns: entry and exit pages, channels, referrers, UTM, browsers, OS, devices, countries', async () => {
    const visits = (
      await rows<{ visits: number }>(ch, `SELECT count() AS visits FROM ${HUMAN_SESSIONS} WHERE site = 'secrepo.example' AND pageviews > 0`)
    )[0]!.visits;
    for (const name of [
      'entry-pages',
      'exit-pages',
      'channels',
      'referrers',
      'utm-sources',
      'utm-mediums',
      'utm-campaigns',
      'browsers',
      'os',
      'devices',
      'countries',
    ]) {
      const { status, body } = await get(`/api/stats/${name}?${RANGE}&limit=1000`);
      expect(status, name).toBe(200);
      const list = body.data as { value: string; visits: number; bounce_rate: number }[];
      expect(
        list.reduce((n, r) => n + r.visits, 0),
        name,
      ).toBe(visits);
      expect(
        list.every((r) => r.bounce_rate >= 0 && r.bounce_rate <= 1),
        name,
      ).toBe(true);
    }
    const browsers = (await get(`/api/stats/browsers?${RANGE}`)).body.data as { value: string }[];
    expect(browsers.map((b) => b.value)).toContain('Chrome');
    // Sessions without a pageview are not visits: they are listed apart, by referrer.
    const other = (await get(`/api/stats/non-page-referrers?${RANGE}&limit=1000`)).body.data as { sessions: number; hits: number }[];
    const [raw] = await rows(
      ch,
      `SELECT count() AS sessions, sum(hits) AS hits FROM ${HUMAN_SESSIONS} WHERE site = 'secrepo.example' AND pageviews = 0`,
    );
    expect({ sessions: other.reduce((n, r) => n + r.sessions, 0), hits: other.reduce((n, r) => n + r.hits, 0) }).toEqual(raw);
  });

  it('response times, bots, pipeline and sites', async () => {
    // The combined format carries no response time: no data, not 0 ms (beacon-and-log.test.ts has timed hits).
    const rt = (await get(`/api/stats/response-times?${RANGE}&granularity=day`)).body.data as { q: number[] }[];
    expect(rt).toEqual([]);
    const pages = (await get(`/api/stats/pages?${RANGE}`)).body.data as { avg_time_ms: number | null }[];
    expect(pages.every((p) => p.avg_time_ms === null)).toBe(true);
    // No custom events in an access log.
    expect((await get(`/api/stats/custom-events?${RANGE}`)).body.data).toEqual([]);
    const bots = (await get(`/api/stats/bots?${RANGE}`)).body.data as { bot: string; hits: number }[];
    expect(bots[0]!.hits).toBeGreaterThan(100);
    // Named by their product tokens, not by the pattern that matched.
    expect(bots.map((b) => b.bot)).toEqual(expect.arrayContaining(['AhrefsBot', 'SemrushBot']));
    expect(bots.map((b) => b.bot)).not.toContain('bot');
    const reasons = (await get(`/api/stats/bot-reasons?${RANGE}`)).body.data as { reason: string; hits: number }[];
    expect(reasons.reduce((n, r) => n + r.hits, 0)).toBe(BOTS);
    const pipeline = await get('/api/stats/pipeline?granularity=hour');
    expect(pipeline.status).toBe(200);
    expect((pipeline.body.data as { outcome: string }[]).map((r) => r.outcome)).toContain('event');
    const sites = (await get('/api/stats/sites')).body.data as { site: string }[];
    expect(sites.map((s) => s.site).sort()).toEqual(['hackers.example', 'secrepo.example']);
  });

  it('sites: every site of all time without a range, and with one the sites that had hits in it, with those hits', async () => {
    // Counted from the files: every line is a hit of its site (a person's or a bot's), at its own time.
    const files = { 'secrepo.example': LINES, 'hackers.example': readCombinedLog(fixture('logs/hackers-access.log')) };
    const expected = (from: string, to: string) =>
      Object.entries(files)
        .map(([site, lines]) => ({ site, hits: lines.filter((l) => l.ts >= Date.parse(from) && l.ts < Date.parse(to)).length }))
        .filter((s) => s.hits > 0)
        .sort((a, b) => b.hits - a.hits);
    const sites = async (query: string) => {
      const { status, body } = await get(`/api/stats/sites${query}`);
      expect(status).toBe(200);
      return {
        from: body.from,
        to: body.to,
        data: (body.data as { site: string; hits: number }[]).map(({ site, hits }) => ({ site, hits })),
      };
    };
    // No range asked for: all time, and no range is claimed.
    expect(await sites('')).toEqual({ from: null, to: null, data: expected('1970-01-01T00:00:00Z', '2106-01-01T00:00:00Z') });
    // secrepo's week holds none of hackers' 2015 lines; an hour of it, a part of secrepo's; 2019, nothing.
    for (const [from, to] of [
      ['2021-10-22T00:00:00.000Z', '2021-10-29T00:00:00.000Z'],
      ['2021-10-24T06:00:00.000Z', '2021-10-24T07:00:00.000Z'],
      ['2019-01-01T00:00:00.000Z', '2019-02-01T00:00:00.000Z'],
    ] as const) {
      expect(await sites(`?from=${from}&to=${to}`), from).toEqual({ from, to, data: expected(from, to) });
    }
    expect(expected('2021-10-24T06:00:00Z', '2021-10-24T07:00:00Z')[0]!.hits).toBeLessThan(LINES.length);
    // The minute of each site's latest hit, in ISO 8601.
    const lastSeen = Object.fromEntries(
      ((await get('/api/stats/sites')).body.data as { site: string; last_seen: string }[]).map((s) => [s.site, s.last_seen]),
    );
    const minuteOf = (ts: number) => new Date(Math.floor(ts / 60_000) * 60_000).toISOString();
    expect(lastSeen).toEqual(
      Object.fromEntries(Object.entries(files).map(([site, lines]) => [site, minuteOf(Math.max(...lines.map((l) => l.ts)))])),
    );
  });
});

describe('bots instead of people', () => {
  it('answers pages, status and failing paths from bot hits with traffic=bots, and refuses it elsewhere', async () => {
    const pages = await get(`/api/stats/pages?${RANGE}&traffic=bots&limit=3`);
    expect(pages.status).toBe(200);
    const raw = await rows(
      ch,
      "SELECT path, sum(hits) AS hits FROM bots_minute WHERE site = 'secrepo.example' GROUP BY path ORDER BY hits DESC, path LIMIT 3",
    );
    expect((pages.body.data as { path: string; hits: number }[]).map(({ path, hits }) => ({ path, hits }))).toEqual(raw);
    const status = (await get(`/api/stats/status?${RANGE}&traffic=bots&granularity=day`)).body.data as {
      s2xx: number;
      s3xx: number;
      s4xx: number;
      s5xx: number;
    }[];
    expect(status.reduce((n, s) => n + s.s2xx + s.s3xx + s.s4xx + s.s5xx, 0)).toBe(BOTS);
    expect((await get(`/api/stats/failing-paths?${RANGE}&traffic=bots`)).status).toBe(200);
    // The hit filters hold for bots as for people (_hit-conditions.sql in every *.bots.sql): 4xx only, the 4xx paths only.
    const failing4xx = (await get(`/api/stats/failing-paths?${RANGE}&traffic=bots&status=4xx&limit=1000`)).body.data as {
      path: string;
      errors_4xx: number;
      errors_5xx: number;
      hits: number;
    }[];
    const raw4xx = await rows(
      ch,
      "SELECT path, sumIf(bots_minute.hits, intDiv(status, 100) = 4) AS errors_4xx, toUInt64(0) AS errors_5xx, errors_4xx AS hits FROM bots_minute WHERE site = 'secrepo.example' AND intDiv(status, 100) = 4 GROUP BY path ORDER BY errors_4xx DESC, path",
    );
    expect(failing4xx.length).toBeGreaterThan(0);
    expect(failing4xx).toEqual(raw4xx);
    const refused = await get(`/api/stats/overview?${RANGE}&traffic=bots`);
    expect([refused.status, refused.body.error]).toEqual([400, 'invalid_parameter']);
    expect((await get(`/api/stats/pages?${RANGE}&traffic=aliens`)).status).toBe(400);
  });
});

describe('unknown sites', () => {
  it('answers 404 unknown_site for a site with no data that SITES does not name, alone or in a batch; a configured one without data is empty', async () => {
    const overview = await get('/api/stats/overview?site=never.example&from=2021-10-22T00:00:00Z&to=2021-10-29T00:00:00Z');
    expect([overview.status, overview.body.error]).toEqual([404, 'unknown_site']);
    const batch = await get('/api/stats/batch?queries=overview,pages&site=never.example&from=2021-10-22T00:00:00Z&to=2021-10-29T00:00:00Z');
    expect([batch.status, batch.body.error]).toEqual([404, 'unknown_site']);
    // A query's own site in a batch of a known one: that query's entry is the 404, the others answer.
    const mixed = await get(`/api/stats/batch?queries=overview,pages&${RANGE}&pages.site=never.example`);
    expect(mixed.status).toBe(200);
    const { results } = mixed.body as unknown as { results: Record<string, { query?: string; error?: string }> };
    expect(results.pages).toEqual({ error: 'unknown_site', message: expect.any(String), status: 404 });
    expect(results.overview!.query).toBe('overview');
    // Queries without a site do not ask.
    expect((await get('/api/stats/sites')).status).toBe(200);
    // A site with data, in a range without any: 200, empty.
    const quiet = await get('/api/stats/pages?site=secrepo.example&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z');
    expect([quiet.status, quiet.body.data]).toEqual([200, []]);
    // Named in SITES, no hit yet (a site just set up): 200, empty.
    const configured = new Hono();
    configured.route('/api/stats', statsRoutes({ ch: withReadLimits(ch, LIMITS), siteKnown: knownSites(ch, ['new.example']) }));
    configured.onError(handleError);
    const fresh = await configured.request('/api/stats/pages?site=new.example&from=2021-10-22T00:00:00Z&to=2021-10-29T00:00:00Z');
    expect([fresh.status, ((await fresh.json()) as { data: unknown }).data]).toEqual([200, []]);
  });
});

describe('ranges', () => {
  it('counts a range of under a day exactly from raw events, per minute, with the visits that started in it', async () => {
    const from = '2021-10-24T06:30:00Z';
    const to = '2021-10-24T07:30:00Z';
    const { body } = await get(`/api/stats/overview?site=secrepo.example&from=${from}&to=${to}`);
    expect(body.source).toBe('events');
    const inRange = (column: string) =>
      `${column} >= parseDateTime64BestEffort({f:String}, 3, 'UTC') AND ${column} < parseDateTime64BestEffort({t:String}, 3, 'UTC')`;
    const [raw] = await rows(
      ch,
      `SELECT count() AS hits, countIf(is_pageview = 1) AS pageviews,
      (SELECT count() FROM ${HUMAN_SESSIONS} WHERE site = 'secrepo.example' AND pageviews > 0 AND ${inRange('start_ts')}) AS visits,
      (SELECT uniqExact(visitor_id) FROM ${HUMAN_SESSIONS} WHERE site = 'secrepo.example' AND pageviews > 0 AND ${inRange('start_ts')}) AS visitors
      FROM ${HUMAN_EVENTS} WHERE site = 'secrepo.example' AND ${inRange('ts')}`,
      { f: from, t: to },
    );
    expect(raw!.visits).toBeGreaterThan(0);
    expect(body.data.current).toMatchObject(raw!);
    const series = (await get(`/api/stats/timeseries?site=secrepo.example&from=${from}&to=${to}&granularity=minute`)).body.data.current as {
      hits: number;
      visits: number;
      visitors: number;
    }[];
    expect(series.reduce((n, p) => n + p.hits, 0)).toBe(raw!.hits);
    expect(series.reduce((n, p) => n + p.visits, 0)).toBe(raw!.visits);
    expect(series.every((p) => (p.visits === 0) === (p.visitors === 0))).toBe(true);
  });

  it('aligns a range of a day or more to whole hours, and says so', async () => {
    const { body } = await get('/api/stats/overview?site=secrepo.example&from=2021-10-22T00:20:00Z&to=2021-10-28T23:10:00Z');
    expect(body.source).toBe('rollup');
    expect([body.from, body.to]).toEqual(['2021-10-22T00:00:00.000Z', '2021-10-29T00:00:00.000Z']);
  });

  it('gives the same figures whatever the time zone of the ClickHouse session', async () => {
    const utc = (await get(`/api/stats/overview?${RANGE}`)).body.data.current;
    const short = (await get('/api/stats/overview?site=secrepo.example&from=2021-10-24T06:30:00Z&to=2021-10-24T07:30:00Z')).body.data
      .current;
    await clientOf(ch).command({ query: "SET session_timezone = 'America/New_York'" });
    try {
      expect((await get(`/api/stats/overview?${RANGE}`)).body.data.current).toEqual(utc);
      expect(
        (await get('/api/stats/overview?site=secrepo.example&from=2021-10-24T06:30:00Z&to=2021-10-24T07:30:00Z')).body.data.current,
      ).toEqual(short);
    } finally {
      await clientOf(ch).command({ query: "SET session_timezone = 'UTC'" });
    }
  });
});

describe('compared with a year before', () => {
  it('overview and timeseries with compare=year: the same weekdays 52 weeks earlier, equal to that range read alone and to the raw events', async () => {
    // A week of 2022 compared with a year before is secrepo's week of 2021, 364 days earlier (same weekdays).
    const shift = 364 * 86_400_000;
    const [from, to] = [Date.parse('2021-10-22T00:00:00Z') + shift, Date.parse('2021-10-29T00:00:00Z') + shift];
    const iso = (ms: number) => new Date(ms).toISOString();
    const [raw] = await rows(
      ch,
      `SELECT count() AS hits, countIf(is_pageview = 1) AS pageviews FROM ${HUMAN_EVENTS} WHERE site = 'secrepo.example' AND ts >= {f:DateTime64(3, 'UTC')} AND ts < {t:DateTime64(3, 'UTC')}`,
      { f: chTime(from - shift), t: chTime(to - shift) },
    );
    expect(raw!.hits).toBeGreaterThan(0);
    for (const filter of ['', '&channel=direct']) {
      for (const name of ['overview', 'timeseries']) {
        const both = (await get(`/api/stats/${name}?site=secrepo.example&from=${iso(from)}&to=${iso(to)}${filter}&compare=year`)).body;
        const alone = (await get(`/api/stats/${name}?site=secrepo.example&from=${iso(from - shift)}&to=${iso(to - shift)}${filter}`)).body;
        expect(both.source, name + filter).toBe(filter ? 'events' : 'rollup');
        expect(both.data.previous, name + filter).toEqual(alone.data.current);
        const hits =
          name === 'overview' ? both.data.previous.hits : both.data.previous.reduce((n: number, p: { hits: number }) => n + p.hits, 0);
        if (!filter) expect(hits).toBe(raw!.hits);
        else expect(hits).toBeGreaterThan(0);
        // The range itself (in 2022) has no hits.
        expect(name === 'overview' ? both.data.current.hits : both.data.current.length).toBe(0);
      }
    }
    expect((await get(`/api/stats/overview?${RANGE}&compare=decade`)).status).toBe(400);
  });
});

describe('batch', () => {
  const batch = async (query: string, to: Hono = app) => {
    const res = await to.request(`/api/stats/batch?${query}`);
    return { status: res.status, body: (await res.json()) as { results: Record<string, any>; error?: string; message?: string } };
  };

  it('answers every named query exactly as /api/stats/NAME does, each with its own parameters', async () => {
    const names = Object.keys(QUERIES);
    // Common parameters once; a query's own as NAME.param (bots for pages; one event's properties).
    const own: Record<string, string> = {
      'pages.traffic': 'bots',
      'custom-event-props.event': 'x',
      'heatmap.page': '/',
      'channels.limit': '3',
    };
    const { status, body } = await batch(`queries=${names.join(',')}&${RANGE}&compare=previous&${new URLSearchParams(own)}`);
    expect(status).toBe(200);
    expect(Object.keys(body.results)).toEqual(names);
    for (const name of names) {
      const mine = Object.entries(own)
        .filter(([k]) => k.startsWith(`${name}.`))
        .map(([k, v]) => `&${k.slice(name.length + 1)}=${encodeURIComponent(v)}`)
        .join('');
      const single = await get(`/api/stats/${name}?${RANGE}&compare=previous${mine}`);
      expect(single.status, name).toBe(200);
      expect(body.results[name], name).toEqual(single.body);
    }
    expect(body.results.pages.data.length).toBeGreaterThan(0);
    expect(body.results.channels.data.length).toBe(3);
  });

  it('reads the breakdowns of the visits together, with the same rows as each alone, under every kind of filter', async () => {
    const breakdowns = Object.entries(QUERIES)
      .filter(([, q]) => q.breakdown)
      .map(([n]) => n);
    expect(breakdowns).toHaveLength(11);
    for (const filter of [
      '',
      '&channel=direct',
      '&page=/',
      '&status=4xx&device=desktop',
      '&limit=2',
      '&from=2021-10-24T06:30:00Z&to=2021-10-24T09:30:00Z',
    ]) {
      const range = filter.includes('from=') ? 'site=secrepo.example' : RANGE;
      const { body } = await batch(`queries=${breakdowns.join(',')},overview&${range}${filter}`);
      for (const name of breakdowns)
        expect(body.results[name], name + filter).toEqual((await get(`/api/stats/${name}?${range}${filter}`)).body);
      expect(body.results.channels.data.length, filter).toBeGreaterThan(0);
    }
  });

  it("keeps a query's refusal to itself: an unknown name, a bad parameter of its own, a query past its limits", async () => {
    const { status, body } = await batch(`queries=overview,drop_table,constructor,pages,status&${RANGE}&status.traffic=aliens`);
    expect(status).toBe(200);
    expect(body.results.drop_table).toMatchObject({ error: 'unknown_query', status: 404 });
    expect(body.results.constructor).toMatchObject({ error: 'unknown_query', status: 404 });
    expect(body.results.status).toMatchObject({ error: 'invalid_parameter', status: 400, message: expect.stringContaining('traffic') });
    expect(body.results.overview).toEqual((await get(`/api/stats/overview?${RANGE}`)).body);
    expect(body.results.pages).toEqual((await get(`/api/stats/pages?${RANGE}`)).body);
    // Too many rows for the limits: that query is a 422 of its own, the next one answers.
    const tight = new Hono();
    tight.route('/api/stats', statsRoutes({ ch: withReadLimits(ch, { ...LIMITS, maxResultRows: 2 }) }));
    tight.onError(handleError);
    const limited = await batch(`queries=pages,overview&${RANGE}&pages.limit=50`, tight);
    expect(limited.status).toBe(200);
    expect(limited.body.results.pages).toMatchObject({ error: 'query_too_expensive', status: 422 });
    expect(limited.body.results.overview).toEqual((await get(`/api/stats/overview?${RANGE}`)).body);
  });

  it.each([
    ['no queries', `${RANGE}`, 'invalid_parameter'],
    ['an empty list', `queries=,&${RANGE}`, 'invalid_parameter'],
    ['a query twice', `queries=pages,pages&${RANGE}`, 'invalid_parameter'],
    ['too many queries', `queries=${Array.from({ length: 41 }, (_, i) => `q${i}`).join(',')}&${RANGE}`, 'invalid_parameter'],
    ['SQL in the site', "queries=overview,pages&site=x'%20OR%201=1--", 'invalid_parameter'],
    ['no site where one is needed', 'queries=overview', 'invalid_parameter'],
    ['a time that is not one', `queries=overview&site=a.com&from=yesterday`, 'invalid_parameter'],
    ['a reversed range', 'queries=overview&site=a.com&from=2025-02-01&to=2025-01-01', 'invalid_range'],
    ['a huge range', 'queries=overview&site=a.com&from=2000-01-01&to=2026-01-01', 'range_too_large'],
    ['an unknown common parameter', `queries=overview&${RANGE}&browser=Chrome`, 'unknown_parameter'],
    ['a parameter for a query not in the batch', `queries=overview&${RANGE}&pages.limit=3`, 'unknown_parameter'],
    ['a parameter for __proto__', `queries=overview&${RANGE}&__proto__.limit=3`, 'unknown_parameter'],
  ])('refuses the whole batch for %s with a 400', async (_name, query, error) => {
    const { status, body } = await batch(query);
    expect([status, body.error]).toEqual([400, error]);
  });

  it('needs no site for queries that need none', async () => {
    const { status, body } = await batch('queries=sites,pipeline');
    expect(status).toBe(200);
    expect(body.results.sites).toEqual((await get('/api/stats/sites')).body);
  });
});

describe('hostile parameters', () => {
  it.each([
    ['SQL in the site', "/api/stats/overview?site=x'%20OR%201=1--", 400, 'invalid_parameter'],
    ['SQL in a filter value', `/api/stats/pages?${RANGE}&channel=direct'%20OR%20'1'='1`, 400, 'invalid_parameter'],
    [
      'SQL in the page filter is just a page that does not exist',
      `/api/stats/overview?${RANGE}&page=/'%3B%20DROP%20TABLE%20events%3B--`,
      200,
      undefined,
    ],
    ['an unknown filter', `/api/stats/overview?${RANGE}&browser=Chrome`, 400, 'unknown_parameter'],
    ['a dimension smuggled in', `/api/stats/channels?${RANGE}&dimension=site`, 400, 'unknown_parameter'],
    ['a huge range', '/api/stats/overview?site=a.com&from=2000-01-01&to=2026-01-01', 400, 'range_too_large'],
    ['minutes over a year', '/api/stats/timeseries?site=a.com&from=2025-01-01&to=2025-12-01&granularity=minute', 400, 'range_too_large'],
    ['a reversed range', '/api/stats/overview?site=a.com&from=2025-02-01&to=2025-01-01', 400, 'invalid_range'],
    ['a time that is not one', '/api/stats/overview?site=a.com&from=yesterday', 400, 'invalid_parameter'],
    ['a limit out of bounds', `/api/stats/pages?${RANGE}&limit=100000`, 400, 'invalid_parameter'],
    ['an unknown query', '/api/stats/drop_table', 404, 'unknown_query'],
    ['a prototype name', '/api/stats/constructor', 404, 'unknown_query'],
  ])('%s → %i', async (_name, path, status, error) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    if (error) expect(res.body.error).toBe(error);
  });

  it('stops a query past its limits with a 422 that says what to do, and answers the next one', async () => {
    const tight = new Hono();
    tight.route('/api/stats', statsRoutes({ ch: withReadLimits(ch, { ...LIMITS, maxResultRows: 2 }) }));
    tight.onError(handleError);
    const res = await tight.request(`/api/stats/pages?${RANGE}&limit=50`);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: 'query_too_expensive',
      message: expect.stringMatching(/shorter range or fewer filters/),
    });
    expect((await tight.request(`/api/stats/overview?${RANGE}`)).status).toBe(200);
    expect((await get(`/api/stats/pages?${RANGE}&limit=50`)).status).toBe(200);
  });

  it('left the data as it was', async () => {
    expect(await rows(ch, `SELECT count() AS n FROM ${HUMAN_EVENTS} WHERE site = 'secrepo.example'`)).toEqual([{ n: HUMANS }]);
  });
});
