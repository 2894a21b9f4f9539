/**
 * Goals and funnels on the real engine: visits made of beacon pageviews and
 * custom events (tests/helpers/journeys.ts) go through the processor, and the
 * conversions the API answers — per goal, per channel and referrer, per funnel
 * step — equal a count made here from the raw sessions and events with
 * nothing but the definitions (docs/dashboards.md): a visit converts when any
 * of its hits matches; it reaches step k when hits matching steps 1..k
 * happened in that order. Under the dashboard's filters and ranges too.
 * Definitions are checked (400 with the reason) and stored as versions.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, HUMAN_EVENTS, HUMAN_SESSIONS, rows } from '../helpers/clickhouse.ts';
import { testDashboard, API_TOKEN, type TestDashboard } from '../helpers/dashboard-app.ts';
import { TODAY } from '../helpers/hits.ts';
import { loadJourneys, makeJourneys } from '../helpers/journeys.ts';

const SITE = 'example.com';
const T0 = TODAY + 3_600_000;
const RANGE = { site: SITE, from: new Date(TODAY).toISOString(), to: new Date(TODAY + 6 * 3_600_000).toISOString() };

type Step = { kind: 'event' | 'page'; match: string };
const GOALS: (Step & { name: string })[] = [
  { name: 'Signed up', kind: 'event', match: 'Signup' },
  { name: 'Read a post', kind: 'page', match: '/blog/*' },
  { name: 'Read the docs', kind: 'page', match: '/docs/**' },
  { name: 'Café', kind: 'page', match: '/café' },
  { name: 'Downloaded', kind: 'event', match: 'Download' },
];
const FUNNELS: { name: string; steps: Step[] }[] = [
  {
    name: 'Home to signup',
    steps: [
      { kind: 'page', match: '/' },
      { kind: 'page', match: '/pricing' },
      { kind: 'event', match: 'Signup' },
    ],
  },
  {
    name: 'Reader',
    steps: [
      { kind: 'page', match: '/blog/**' },
      { kind: 'event', match: 'Download' },
      { kind: 'page', match: '/signup' },
      { kind: 'page', match: '/pricing' },
    ],
  },
  {
    name: 'Pricing twice',
    steps: [
      { kind: 'page', match: '/pricing' },
      { kind: 'page', match: '/pricing' },
    ],
  },
];

let ch: ClickHouse;
let d: TestDashboard;

// ---- the count made here, from raw sessions and events --------------------------------------

interface Hit {
  t: number;
  event_type: string;
  event_name: string;
  is_pageview: number;
  path: string;
}
interface Visit {
  start: number;
  channel: string;
  referrer_host: string;
  entry_path: string;
  device_type: string;
  hits: Hit[];
}
let visits: Visit[] = [];

/** `*` any text within a segment, `**` any text: matched by hand, not by a regex. */
function glob(pattern: string, path: string, i = 0, j = 0): boolean {
  if (i === pattern.length) return j === path.length;
  if (pattern.startsWith('**', i)) {
    for (let k = j; k <= path.length; k++) if (glob(pattern, path, i + 2, k)) return true;
    return false;
  }
  if (pattern[i] === '*') {
    for (let k = j; k <= path.length; k++) {
      if (glob(pattern, path, i + 1, k)) return true;
      if (path[k] === '/') break;
    }
    return false;
  }
  return path[j] === pattern[i] && glob(pattern, path, i + 1, j + 1);
}
const matches = (s: Step, h: Hit) =>
  s.kind === 'event'
    ? h.event_type === 'event' && h.event_name === s.match
    : h.is_pageview === 1 && (glob(s.match, h.path) || glob(s.match, decodeURIComponent(h.path)));
/** How many steps a visit went through in order, each hit counting for one step. */
const reached = (steps: Step[], hits: Hit[]) => hits.reduce((k, h) => (k < steps.length && matches(steps[k]!, h) ? k + 1 : k), 0);
const rate = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 10_000 : 0);

async function readVisits(): Promise<Visit[]> {
  const sessions = await rows<{
    id: string;
    merged: string[];
    start: number;
    pageviews: number;
    channel: string;
    referrer_host: string;
    entry_path: string;
    device_type: string;
  }>(
    ch,
    `SELECT toString(session_id) AS id, arrayMap(x -> toString(x), merged_ids) AS merged, toUnixTimestamp64Milli(start_ts) AS start, pageviews, channel, referrer_host, entry_path, device_type
     FROM ${HUMAN_SESSIONS} WHERE site = {site:String}`,
    { site: SITE },
  );
  const hits = await rows<Hit & { sid: string }>(
    ch,
    `SELECT toString(session_id) AS sid, toUnixTimestamp64Milli(ts) AS t, event_type, event_name, is_pageview, path FROM ${HUMAN_EVENTS} WHERE site = {site:String}`,
    { site: SITE },
  );
  const byId = new Map<string, Visit>();
  const result: Visit[] = [];
  for (const s of sessions) {
    if (s.pageviews === 0) continue;
    const v: Visit = {
      start: s.start,
      channel: s.channel,
      referrer_host: s.referrer_host,
      entry_path: s.entry_path,
      device_type: s.device_type,
      hits: [],
    };
    for (const id of [s.id, ...s.merged]) byId.set(id, v);
    result.push(v);
  }
  for (const h of hits) byId.get(h.sid)?.hits.push(h);
  // In time order; in the same millisecond, the pageview before what happened on the page.
  for (const v of result) v.hits.sort((a, b) => a.t - b.t || b.is_pageview - a.is_pageview);
  return result;
}

/** The visits a view counts: started in the range, or — with a page filter — holding a hit of that page in it. */
function visitsOf(q: Record<string, string>): Visit[] {
  const from = Date.parse(q.from!);
  const to = Date.parse(q.to!);
  return visits.filter(
    (v) =>
      (q.page ? v.hits.some((h) => h.path === q.page && h.t >= from && h.t < to) && v.start < to : v.start >= from && v.start < to) &&
      (!q.channel || v.channel === q.channel) &&
      (!q.entry || v.entry_path === q.entry) &&
      (!q.device || v.device_type === q.device),
  );
}

function expectedGoals(q: Record<string, string>, goals: { id: string; name: string; kind: string; match: string }[]) {
  const vs = visitsOf(q);
  return goals.map((g) => {
    const conversions = vs.filter((v) => v.hits.some((h) => matches(g as Step, h))).length;
    return {
      goal_id: g.id,
      goal: g.name,
      kind: g.kind,
      match: g.match,
      visits: vs.length,
      conversions,
      conversion_rate: rate(conversions, vs.length),
    };
  });
}

function expectedSources(
  q: Record<string, string>,
  goals: { id: string; name: string; kind: string; match: string }[],
  key: 'channel' | 'referrer_host',
) {
  const vs = visitsOf(q);
  const sources = [...new Set(vs.map((v) => v[key]))]
    .map((source) => ({ source, visits: vs.filter((v) => v[key] === source) }))
    .sort((a, b) => b.visits.length - a.visits.length || (a.source < b.source ? -1 : 1));
  return goals.flatMap((g) =>
    sources.map(({ source, visits: of }) => {
      const conversions = of.filter((v) => v.hits.some((h) => matches(g as Step, h))).length;
      return {
        goal_id: g.id,
        goal: g.name,
        kind: g.kind,
        match: g.match,
        source,
        visits: of.length,
        conversions,
        conversion_rate: rate(conversions, of.length),
      };
    }),
  );
}

function expectedFunnel(q: Record<string, string>, f: { id: string; name: string; steps: Step[] }) {
  const vs = visitsOf(q);
  const levels = vs.map((v) => reached(f.steps, v.hits));
  const at = (k: number) => levels.filter((l) => l >= k).length;
  return f.steps.map((s, i) => {
    const before = i === 0 ? vs.length : at(i);
    return {
      funnel_id: f.id,
      funnel: f.name,
      step: i + 1,
      kind: s.kind,
      match: s.match,
      visits: at(i + 1),
      rate_of_visits: rate(at(i + 1), vs.length),
      rate_of_first_step: rate(at(i + 1), at(1)),
      drop_off: before - at(i + 1),
      drop_off_rate: rate(before - at(i + 1), before),
    };
  });
}

// ---- the API ---------------------------------------------------------------------------

const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = d.browser) =>
  d.app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
const json = async (res: Response | Promise<Response>) => {
  const r = await res;
  return { status: r.status, body: (await r.json()) as any };
};
/** A named query of goals and funnels (goals, goals-by-channel, goals-by-referrer, funnels). */
const conversions = (name: string, q: Record<string, string>) => json(send('GET', `/api/stats/${name}?${new URLSearchParams(q)}`));

const goals: { id: string; name: string; kind: string; match: string }[] = [];
const funnels: { id: string; name: string; steps: Step[] }[] = [];

beforeAll(async () => {
  ch = await freshClickHouse();
  await loadJourneys(ch, SITE, makeJourneys(300, T0));
  await loadJourneys(ch, 'other.example', makeJourneys(40, T0, 99));
  d = await testDashboard(ch);
  visits = await readVisits();
});
afterAll(async () => {
  await ch.close();
});

describe('goals and funnels', () => {
  it('has visits of every kind to count: goals and funnel steps reached by some and not others', () => {
    expect(visits.length).toBeGreaterThan(300);
    for (const g of GOALS) expect(visitsOf(RANGE).filter((v) => v.hits.some((h) => matches(g, h))).length, g.name).toBeGreaterThan(5);
    for (const f of FUNNELS)
      expect(visitsOf(RANGE).filter((v) => reached(f.steps, v.hits) === f.steps.length).length, f.name).toBeGreaterThan(0);
    expect(new Set(visits.map((v) => v.channel))).toEqual(new Set(['direct', 'search', 'social', 'referral']));
  });

  it("stores the goals and funnels it is given (a login on the dashboard's page), and lists them", async () => {
    // The dashboard has read before it writes: its reads' session is read-only from then on.
    expect((await send('GET', `/api/stats/overview?${new URLSearchParams(RANGE)}`)).status).toBe(200);
    for (const g of GOALS) {
      const { status, body } = await json(send('POST', '/api/goals', { site: SITE, ...g }));
      expect(status).toBe(201);
      expect(body.goal).toMatchObject({ site: SITE, ...g });
      expect(body.goal.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/); // ISO 8601, as every time the API answers
      goals.push(body.goal);
    }
    for (const f of FUNNELS) {
      const { status, body } = await json(send('POST', '/api/funnels', { site: SITE, ...f }));
      expect(status).toBe(201);
      expect(body.funnel).toMatchObject({ site: SITE, ...f });
      funnels.push(body.funnel);
    }
    expect((await json(send('GET', `/api/goals?site=${SITE}`))).body.goals.map((g: { id: string }) => g.id)).toEqual(
      goals.map((g) => g.id),
    );
    expect((await json(send('GET', `/api/funnels?site=${SITE}`))).body.funnels).toEqual(funnels);
    // Another site has none.
    expect((await json(send('GET', '/api/goals?site=other.example'))).body.goals).toEqual([]);
  });

  it('answers conversions per goal equal to the count from raw sessions and events, and the same visits as the overview', async () => {
    const { status, body } = await conversions('goals', RANGE);
    expect(status).toBe(200);
    expect(body.data).toEqual(expectedGoals(RANGE, goals));
    const overview = (await json(send('GET', `/api/stats/overview?${new URLSearchParams(RANGE)}`))).body.data.current;
    expect(body.data[0].visits).toBe(overview.visits);
  });

  it('answers conversions per channel and per referrer', async () => {
    for (const [by, key] of [
      ['channel', 'channel'],
      ['referrer', 'referrer_host'],
    ] as const) {
      const { body } = await conversions(`goals-by-${by}`, RANGE);
      expect(body.data, by).toEqual(expectedSources(RANGE, goals, key));
    }
  });

  it('answers in the batch as alone, and as the dashboard asks for them in it', async () => {
    const { body } = await json(
      send('GET', `/api/stats/batch?queries=goals,goals-by-channel,funnels,overview&${new URLSearchParams(RANGE)}`),
    );
    for (const name of ['goals', 'goals-by-channel', 'funnels'])
      expect(body.results[name], name).toEqual((await conversions(name, RANGE)).body);
  });

  it("counts a funnel's steps in order over visits, with the drop-off of each", async () => {
    const { status, body } = await conversions('funnels', RANGE);
    expect(status).toBe(200);
    expect(body.data).toEqual(funnels.flatMap((f) => expectedFunnel(RANGE, f)));
    // Order matters: the first funnel backwards is another count, and the API's is the count made here.
    const steps = [...funnels[0]!.steps].reverse();
    const made = await json(send('POST', '/api/funnels', { site: SITE, name: 'Backwards', steps }));
    const backwards = (await conversions('funnels', RANGE)).body.data.filter(
      (r: { funnel_id: string }) => r.funnel_id === made.body.funnel.id,
    );
    expect(backwards).toEqual(expectedFunnel(RANGE, made.body.funnel));
    expect(backwards.map((r: { visits: number }) => r.visits)).not.toEqual(body.data.slice(0, 3).map((r: { visits: number }) => r.visits));
    expect((await json(send('DELETE', `/api/funnels/${made.body.funnel.id}?site=${SITE}`))).status).toBe(200);
  });

  it.each([
    ['a session filter', { channel: 'search' }],
    ['an entry page', { entry: '/' }],
    ['a device', { device: 'desktop' }],
    ['a hit filter (the visits that requested the page)', { page: '/pricing' }],
    [
      'a shorter range, which cuts visits off at both ends',
      { from: new Date(T0 + 1_800_000).toISOString(), to: new Date(T0 + 5_400_000).toISOString() },
    ],
  ])("follows the dashboard's view under %s", async (_, extra) => {
    const q = { ...RANGE, ...extra };
    expect((await conversions('goals', q)).body.data).toEqual(expectedGoals(q, goals));
    expect((await conversions('goals-by-channel', q)).body.data).toEqual(expectedSources(q, goals, 'channel'));
    expect((await conversions('funnels', q)).body.data).toEqual(funnels.flatMap((f) => expectedFunnel(q, f)));
    const overview = (await json(send('GET', `/api/stats/overview?${new URLSearchParams(q)}`))).body.data.current;
    expect((await conversions('goals', q)).body.data[0].visits).toBe(overview.visits);
  });

  it('edits and deletes: a new version of the row each time, and the conversions follow', async () => {
    const blog = goals[1]!;
    const edited = await json(send('PUT', `/api/goals/${blog.id}`, { site: SITE, name: 'Any blog page', kind: 'page', match: '/blog/**' }));
    expect(edited.status).toBe(200);
    expect(edited.body.goal).toMatchObject({ id: blog.id, name: 'Any blog page', match: '/blog/**' });
    Object.assign(blog, edited.body.goal);
    expect((await conversions('goals', RANGE)).body.data).toEqual(expectedGoals(RANGE, goals));
    expect((await json(send('DELETE', `/api/goals/${goals[4]!.id}?site=${SITE}`))).body).toEqual({ deleted: goals[4]!.id });
    const left = goals.slice(0, 4);
    expect((await conversions('goals', RANGE)).body.data).toEqual(expectedGoals(RANGE, left));
    expect((await json(send('DELETE', `/api/goals/${goals[4]!.id}?site=${SITE}`))).status).toBe(404);
    expect((await json(send('PUT', `/api/goals/${goals[4]!.id}`, { site: SITE, name: 'x', kind: 'event', match: 'x' }))).status).toBe(404);
    // Another site's id is not this site's.
    expect((await json(send('DELETE', `/api/goals/${goals[0]!.id}?site=other.example`))).status).toBe(404);
    // Rows are written, never changed (no mutation): the edit and the deletion are versions; FINAL keeps the last.
    expect(await rows(ch, 'SELECT name FROM dashboard_definitions FINAL WHERE id = {id:UUID}', { id: blog.id })).toEqual([
      { name: 'Any blog page' },
    ]);
    expect(await rows(ch, 'SELECT is_deleted FROM dashboard_definitions FINAL WHERE id = {id:UUID}', { id: goals[4]!.id })).toEqual([]);
    expect(await rows(ch, 'SELECT count() AS n FROM system.mutations WHERE database = currentDatabase()')).toEqual([{ n: 0 }]);
    goals.splice(4, 1);
  });

  it.each([
    ['not JSON', '{"site":', 400, 'invalid_json'],
    ['not an object', '[1]', 400, 'invalid_definition'],
    ['an unknown field', { site: SITE, name: 'x', kind: 'event', match: 'x', colour: 'red' }, 400, 'invalid_definition'],
    ['no name', { site: SITE, name: '  ', kind: 'event', match: 'x' }, 400, 'invalid_definition'],
    ['a name of 101 characters', { site: SITE, name: 'n'.repeat(101), kind: 'event', match: 'x' }, 400, 'invalid_definition'],
    ['an unknown kind', { site: SITE, name: 'x', kind: 'click', match: 'x' }, 400, 'invalid_definition'],
    ['a page without /', { site: SITE, name: 'x', kind: 'page', match: 'pricing' }, 400, 'invalid_definition'],
    ['three stars', { site: SITE, name: 'x', kind: 'page', match: '/a/***' }, 400, 'invalid_definition'],
    ['a space in a page', { site: SITE, name: 'x', kind: 'page', match: '/a b' }, 400, 'invalid_definition'],
    ['an event name of 201 characters', { site: SITE, name: 'x', kind: 'event', match: 'e'.repeat(201) }, 400, 'invalid_definition'],
    ['a bad site', { site: 'not a site', name: 'x', kind: 'event', match: 'x' }, 400, 'invalid_definition'],
  ])('refuses a goal with %s', async (_, body, status, error) => {
    const res = await json(send('POST', '/api/goals', body));
    expect([res.status, res.body.error]).toEqual([status, error]);
    expect(res.body.message).toBeTruthy();
  });

  it.each([
    ['one step', [{ kind: 'page', match: '/' }], /2 to 8 steps/],
    ['nine steps', Array.from({ length: 9 }, () => ({ kind: 'page', match: '/' })), /2 to 8 steps/],
    ['no steps', 'none', /2 to 8 steps/],
    [
      'a bad step',
      [
        { kind: 'page', match: '/' },
        { kind: 'page', match: 'x' },
      ],
      /step 2: a page pattern starts with \//,
    ],
    [
      'a step with more fields',
      [
        { kind: 'page', match: '/' },
        { kind: 'event', match: 'x', name: 'y' },
      ],
      /unknown field in step 2: name/,
    ],
  ])('refuses a funnel with %s', async (_, steps, message) => {
    const res = await json(send('POST', '/api/funnels', { site: SITE, name: 'f', steps }));
    expect([res.status, res.body.error]).toEqual([400, 'invalid_definition']);
    expect(res.body.message).toMatch(message);
  });

  it("takes 8 steps, and JSON only; changes need a login from the dashboard's own page, reading an API token too", async () => {
    const eight = Array.from({ length: 8 }, (_, i) => ({ kind: 'page', match: `/s${i}` }));
    const made = await json(send('POST', '/api/funnels', { site: 'other.example', name: 'Eight', steps: eight }));
    expect([made.status, made.body.funnel.steps]).toEqual([201, eight]);
    const form = await d.app.request('/api/goals', {
      method: 'POST',
      headers: { ...d.browser, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x',
    });
    expect(form.status).toBe(415);
    const body = { site: SITE, name: 'x', kind: 'event', match: 'x' };
    const token = { authorization: `Bearer ${API_TOKEN}` };
    expect((await json(send('GET', `/api/goals?site=${SITE}`, undefined, token))).status).toBe(200);
    expect((await json(send('POST', '/api/goals', body, token))).body.error).toBe('login_required');
    expect((await json(send('POST', '/api/goals', body, { cookie: d.cookie, 'sec-fetch-site': 'cross-site' }))).body.error).toBe(
      'cross_site',
    );
    expect((await json(send('POST', '/api/goals', body, {}))).status).toBe(401);
    expect((await json(send('GET', `/api/stats/goals?${new URLSearchParams(RANGE)}`, undefined, {}))).status).toBe(401);
  });

  it('refuses parameters as every named query does', async () => {
    for (const [q, error] of [
      [{ ...RANGE, by: 'country' }, 'unknown_parameter'],
      [{ ...RANGE, traffic: 'bots' }, 'invalid_parameter'],
      [{ ...RANGE, channel: 'carrier-pigeon' }, 'invalid_parameter'],
      [{ site: SITE, from: RANGE.to, to: RANGE.from }, 'invalid_range'],
    ] as const) {
      const res = await conversions('goals', q);
      expect([res.status, res.body.error], JSON.stringify(q)).toEqual([400, error]);
    }
    expect((await conversions('goals-by-country', RANGE)).body.error).toBe('unknown_query');
  });
});
