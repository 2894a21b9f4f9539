/**
 * The OpenAPI document (/api/openapi.json) against what a real `scalehouse
 * start` answers: every documented route is called (its answers in success
 * and in refusal), and each answer's status, content type and JSON body must
 * be what the document says (JSON Schema 2020-12, ajv). Then the other way
 * round: every route the app serves under /api (and health, metrics) is in
 * the document, and nothing the document lists is not served.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { Hono } from 'hono';
import { Registry } from 'prom-client';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { apiDocument } from '../../cli/api-document.ts';
import { collectorRoutes } from '../../collector/routes.ts';
import { loadConfig } from '../../common/config.ts';
import { tokenDigest } from '../../common/token-digest.ts';
import { createServerApp } from '../../server/app.ts';
import { healthRoutes } from '../../server/health.ts';
import { metricsRoutes } from '../../server/metrics-route.ts';
import { openApiRoutes } from '../../server/openapi.ts';
import type { ServerEnv } from '../../server/env.ts';
import { drainAndStop, freePort, startApp, TEST_INGEST_TOKEN, type AppProcess } from '../helpers/app-process.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { testDashboard } from '../helpers/dashboard-app.ts';
import { testPseudonymiser } from '../helpers/hits.ts';
import { answerChecker, type OpenApiDocument } from '../helpers/openapi-check.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const PASSWORD = 'the password of the openapi test';
const API_TOKEN = 'api-token-of-the-openapi-test';
const SITE = 'example.com';
const RANGE = 'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z';

let app: AppProcess;
let doc: OpenApiDocument;
let problems: ReturnType<typeof answerChecker>;
/** Headers of a logged-in browser on the dashboard's own pages; of an API token; of the ingest token. */
let browser: Record<string, string>;
const reader = { authorization: `Bearer ${API_TOKEN}` };
const ingest = { authorization: `Bearer ${TEST_INGEST_TOKEN}` };
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  app = await startApp(
    { DATA_DIR: tempDir('openapi'), SITES: SITE, DASHBOARD_PASSWORD: PASSWORD, DASHBOARD_TOKENS: tokenDigest(API_TOKEN) },
    await freePort(),
  );
  const login = await fetch(`${app.url}/login`, {
    method: 'POST',
    body: JSON.stringify({ password: PASSWORD }),
    headers: { ...json, 'sec-fetch-site': 'same-origin' },
  });
  expect(login.status).toBe(200);
  browser = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'sec-fetch-site': 'same-origin' };
  const res = await fetch(`${app.url}/api/openapi.json`);
  expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
  doc = (await res.json()) as OpenApiDocument;
  problems = answerChecker(doc);
  // A beacon and a log line loaded, so the site has data (realtime opens only then).
  await fetch(`${app.url}/api/event`, { method: 'POST', headers: json, body: JSON.stringify({ site: SITE, url: `https://${SITE}/` }) });
  await waitFor(
    'the first hits to be loaded',
    async () => {
      const { status, body } = await app.readyz();
      return status === 200 && body.bus.lag === 0 ? true : undefined;
    },
    90_000,
  );
}, 120_000);

afterAll(async () => {
  if (app && app.child.exitCode === null) await drainAndStop(app);
});

/** Calls `url` and checks the answer against the document's `method path`; returns the status and the body. */
async function call(
  method: string,
  path: string,
  url: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${app.url}${url}`, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  expect(problems(method, path, res, text)).toEqual([]);
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}

describe('the OpenAPI document against real answers', () => {
  it('is OpenAPI 3.1 and describes intake, stats, goals, funnels, shares, realtime, health and metrics', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/event',
      '/api/funnels',
      '/api/funnels/{id}',
      '/api/goals',
      '/api/goals/{id}',
      '/api/logs',
      '/api/openapi.json',
      '/api/realtime',
      '/api/shares',
      '/api/shares/{id}',
      '/api/stats',
      '/api/stats/batch',
      '/api/stats/{name}',
      '/healthz',
      '/metrics',
      '/readyz',
    ]);
  });

  it('health, readiness, metrics and the document itself', async () => {
    expect((await call('GET', '/healthz', '/healthz')).status).toBe(200);
    expect((await call('GET', '/readyz', '/readyz')).body).toEqual({ status: 'ready' });
    expect((await call('GET', '/readyz', '/readyz', { headers: ingest })).body.problems).toEqual([]);
    expect((await call('GET', '/metrics', '/metrics', { headers: ingest })).status).toBe(200);
    expect((await call('GET', '/metrics', '/metrics')).body.error).toBe('missing_token');
    expect((await call('GET', '/api/openapi.json', '/api/openapi.json')).status).toBe(200);
  });

  it('the beacon and log intake, accepted and refused', async () => {
    const beacon = (body: string, headers: Record<string, string> = json) => call('POST', '/api/event', '/api/event', { headers, body });
    expect(
      await beacon(JSON.stringify({ site: SITE, url: `https://${SITE}/pricing`, type: 'event', name: 'Signup', props: { plan: 'pro' } })),
    ).toEqual({ status: 202, body: { accepted: 1 } });
    expect(
      (await beacon(JSON.stringify({ site: SITE, url: `https://${SITE}/` }), { 'content-type': 'text/plain', 'sec-gpc': '1' })).body,
    ).toEqual({ accepted: 0 });
    expect((await beacon('[1]')).body.error).toBe('invalid_beacon');
    expect((await beacon(JSON.stringify({ site: 'other.example', url: 'https://other.example/' }))).body.error).toBe('unknown_site');
    expect((await beacon('{}', { 'content-type': 'application/xml' })).status).toBe(415);
    const line = `192.0.2.7 - - [01/Jan/2026:10:00:00 +0000] "GET /docs HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"`;
    expect(
      await call('POST', '/api/logs', `/api/logs?site=${SITE}`, { headers: { ...ingest, 'content-type': 'text/plain' }, body: line }),
    ).toEqual({ status: 202, body: { accepted: 1 } });
    expect(
      (await call('POST', '/api/logs', `/api/logs?site=${SITE}`, { headers: { 'content-type': 'text/plain' }, body: line })).body.error,
    ).toBe('missing_token');
    expect(
      (
        await call('POST', '/api/logs', `/api/logs?site=${SITE}`, {
          headers: { ...ingest, 'content-type': 'application/json' },
          body: '[]',
        })
      ).body.error,
    ).toBe('empty_batch');
  });

  it('the named queries, one, in CSV and in a batch, with a login or an API token', async () => {
    expect((await call('GET', '/api/stats', '/api/stats', { headers: reader })).body.queries).toContain('overview');
    expect((await call('GET', '/api/stats', '/api/stats')).body.error).toBe('login_required');
    for (const name of ['overview', 'timeseries', 'pages', 'channels', 'pipeline', 'sites', 'goals', 'funnels']) {
      expect((await call('GET', '/api/stats/{name}', `/api/stats/${name}?site=${SITE}`, { headers: browser })).body.query).toBe(name);
    }
    expect((await call('GET', '/api/stats/{name}', `/api/stats/sites?format=csv`, { headers: reader })).body).toContain(SITE);
    expect((await call('GET', '/api/stats/{name}', `/api/stats/overview?site=${SITE}&limit=0`, { headers: reader })).body.error).toBe(
      'invalid_parameter',
    );
    expect((await call('GET', '/api/stats/{name}', `/api/stats/overview?site=${SITE}&browser=x`, { headers: reader })).body.error).toBe(
      'unknown_parameter',
    );
    expect((await call('GET', '/api/stats/{name}', `/api/stats/nope?site=${SITE}`, { headers: reader })).body.error).toBe('unknown_query');
    const batch = await call(
      'GET',
      '/api/stats/batch',
      `/api/stats/batch?queries=overview,pages,nope&site=${SITE}&${RANGE}&pages.traffic=bots`,
      { headers: reader },
    );
    expect([batch.body.results.overview.query, batch.body.results.pages.query, batch.body.results.nope.status]).toEqual([
      'overview',
      'pages',
      404,
    ]);
    expect((await call('GET', '/api/stats/batch', `/api/stats/batch?site=${SITE}`, { headers: reader })).body.error).toBe(
      'invalid_parameter',
    );
  });

  it('the realtime stream: an event stream for a site with data, refusals as JSON', async () => {
    const stop = new AbortController();
    const res = await fetch(`${app.url}/api/realtime?site=${SITE}`, { headers: reader, signal: stop.signal });
    expect(problems('GET', '/api/realtime', res, '')).toEqual([]);
    expect(res.status).toBe(200);
    stop.abort();
    expect((await call('GET', '/api/realtime', '/api/realtime?site=never-seen.example', { headers: reader })).body.error).toBe(
      'unknown_site',
    );
    expect((await call('GET', '/api/realtime', `/api/realtime?site=${SITE}&x=1`, { headers: reader })).body.error).toBe(
      'unknown_parameter',
    );
    expect((await call('GET', '/api/realtime', `/api/realtime?site=${SITE}`)).status).toBe(401);
  });

  for (const { kind, path, input, changed } of [
    {
      kind: 'goal',
      path: '/api/goals',
      input: { site: SITE, name: 'Signup', kind: 'event', match: 'Signup' },
      changed: { site: SITE, name: 'Pricing', kind: 'page', match: '/pricing' },
    },
    {
      kind: 'funnel',
      path: '/api/funnels',
      input: {
        site: SITE,
        name: 'Buy',
        steps: [
          { kind: 'page', match: '/' },
          { kind: 'event', match: 'Signup' },
        ],
      },
      changed: {
        site: SITE,
        name: 'Buy',
        steps: [
          { kind: 'page', match: '/pricing' },
          { kind: 'event', match: 'Signup' },
        ],
      },
    },
  ]) {
    it(`${kind}s: made, listed, changed, deleted, refused`, async () => {
      const made = await call('POST', path, path, { headers: { ...browser, ...json }, body: JSON.stringify(input) });
      expect(made.status).toBe(201);
      const id = made.body[kind].id as string;
      expect(
        (await call('GET', path, `${path}?site=${SITE}`, { headers: reader })).body[`${kind}s`].map((d: { id: string }) => d.id),
      ).toEqual([id]);
      expect(
        (await call('PUT', `${path}/{id}`, `${path}/${id}`, { headers: { ...browser, ...json }, body: JSON.stringify(changed) })).body[kind]
          .name,
      ).toBe(changed.name);
      expect(
        (await call('POST', path, path, { headers: { ...reader, ...json, 'sec-fetch-site': 'same-origin' }, body: JSON.stringify(input) }))
          .status,
      ).toBe(403);
      expect(
        (await call('POST', path, path, { headers: { ...browser, ...json }, body: JSON.stringify({ ...input, name: '' }) })).body.error,
      ).toBe('invalid_definition');
      expect((await call('POST', path, path, { headers: { ...browser, 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
      expect((await call('DELETE', `${path}/{id}`, `${path}/${id}?site=${SITE}`, { headers: browser })).body).toEqual({ deleted: id });
      expect((await call('DELETE', `${path}/{id}`, `${path}/${id}?site=${SITE}`, { headers: browser })).body.error).toBe(`unknown_${kind}`);
      expect((await call('GET', path, `${path}?site=not%20a%20site`, { headers: reader })).body.error).toBe('invalid_parameter');
    });
  }

  it('shared links: made, listed, revoked, refused', async () => {
    const made = await call('POST', '/api/shares', '/api/shares', {
      headers: { ...browser, ...json },
      body: JSON.stringify({ site: SITE, label: 'blog', password: 'a long enough password', embed_origins: ['https://blog.example.com'] }),
    });
    expect([made.status, made.body.share.has_password]).toEqual([201, true]);
    const id = made.body.share.id as string;
    expect(
      (await call('GET', '/api/shares', `/api/shares?site=${SITE}`, { headers: reader })).body.shares.map((s: { id: string }) => s.id),
    ).toEqual([id]);
    expect(
      (
        await call('POST', '/api/shares', '/api/shares', {
          headers: { ...browser, ...json },
          body: JSON.stringify({ site: SITE, password: 'short' }),
        })
      ).body.error,
    ).toBe('invalid_link');
    expect((await call('DELETE', '/api/shares/{id}', `/api/shares/${id}?site=${SITE}`, { headers: browser })).body).toEqual({
      revoked: id,
    });
    expect((await call('DELETE', '/api/shares/{id}', `/api/shares/${id}?site=${SITE}`, { headers: browser })).body.error).toBe(
      'unknown_share',
    );
    expect((await call('GET', '/api/shares', `/api/shares?site=${SITE}`)).status).toBe(401);
  });
});

describe('the routes the app serves and the document', () => {
  it('every route under /api, health and metrics is documented, and every documented route is served', async () => {
    const ch = await freshClickHouse();
    const bus = await LocalBus.open({ dir: tempDir('openapi-bus') });
    try {
      // The roles as `scalehouse start` mounts them on the one server (cli/commands/start.ts).
      const config = loadConfig({ SITES: SITE });
      const served = createServerApp({
        trustedProxies: [],
        peerAddress: () => '127.0.0.1',
        routes: [
          metricsRoutes(new Registry()),
          collectorRoutes({
            config,
            bus,
            ingestTokens: ['t'],
            counters: { accepted: 0, optedOut: 0, refused: {} },
            pseudonymise: testPseudonymiser(),
          }),
          healthRoutes({ readiness: async () => [], status: () => ({}) }),
          (await testDashboard(ch)).app as unknown as Hono<ServerEnv>,
          openApiRoutes(apiDocument({ collect: true, dashboard: true, metrics: true })),
        ],
      });
      // Handlers only: middleware (use) is registered for every method as ALL.
      const routes = new Set(
        served.routes
          .filter((r) => r.method !== 'ALL' && (r.path.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(r.path)))
          .map((r) => `${r.method} ${r.path}`),
      );
      const documented = new Set(
        Object.entries(apiDocument({ collect: true, dashboard: true, metrics: true }).paths ?? {}).flatMap(([path, item]) =>
          Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path.replaceAll(/\{(\w+)\}/g, ':$1')}`),
        ),
      );
      expect(
        [...routes].filter((r) => !documented.has(r)),
        'served, not documented',
      ).toEqual([]);
      expect(
        [...documented].filter((r) => !routes.has(r)),
        'documented, not served',
      ).toEqual([]);
    } finally {
      await bus.close();
    }
  }, 60_000);
});
