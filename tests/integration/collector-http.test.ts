/**
 * The collector's HTTP contract, in process (app.request, as Hono's own tests
 * do) over a real local bus on disk: each bad input gets its status and a JSON
 * reason, and accepted hits are on the bus when the 202 arrives.
 */
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { testPseudonymiser } from '../helpers/hits.ts';
import { loadConfig } from '../../common/config.ts';
import { decodeHit, type Hit } from '../../common/hit.ts';
import type { BusBatch } from '../../bus/bus.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const TOKEN = 'test-token';
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
let bus: LocalBus;
let peer = '203.0.113.7';

function makeApp(env: Record<string, string> = {}, busOverride?: LocalBus) {
  const config = loadConfig({
    SITES: 'example.com,blog.example.com',
    TRUSTED_PROXIES: '10.0.0.0/8',
    BEACON_MAX_BYTES: '1024',
    LOG_BATCH_MAX_BYTES: '4096',
    LOG_LINE_MAX_BYTES: '512',
    ...env,
  });
  return collectorApp({ config, bus: busOverride ?? bus, ingestToken: TOKEN, peerAddress: () => peer });
}

async function consumed(b: LocalBus, n: number): Promise<Hit[]> {
  const hits: Hit[] = [];
  await b.consume(
    async (batch: BusBatch) => {
      for (const r of batch.records) hits.push(decodeHit(r.value) as Hit);
    },
    { maxRecords: 100 },
  );
  return waitFor(`${n} hits on the bus`, async () => (hits.length >= n ? hits : undefined), 10_000);
}

const post = (app: ReturnType<typeof makeApp>, path: string, body: string, headers: Record<string, string>) =>
  // A string body makes fetch add "text/plain"; bytes let a test send no Content-Type at all.
  app.request(path, { method: 'POST', body: headers['content-type'] ? body : new TextEncoder().encode(body), headers });

beforeEach(async () => {
  bus = await LocalBus.open({ dir: tempDir('bus') });
  peer = '203.0.113.7';
});
afterEach(async () => {
  await bus.close();
});

describe('bad input gets its status and a JSON reason', () => {
  const beaconJson = JSON.stringify({ site: 'example.com', url: 'https://example.com/' });
  const cases: { name: string; path: string; body: string; headers: Record<string, string>; status: number; error: string }[] = [
    {
      name: 'oversized beacon',
      path: '/api/event',
      body: JSON.stringify({ site: 'example.com', url: 'https://example.com/', pad: 'x'.repeat(2000) }),
      headers: { 'content-type': 'application/json' },
      status: 413,
      error: 'payload_too_large',
    },
    {
      name: 'beacon as form data',
      path: '/api/event',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      name: 'beacon without content type',
      path: '/api/event',
      body: beaconJson,
      headers: {},
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      name: 'malformed JSON',
      path: '/api/event',
      body: '{"site": "example.com", ',
      headers: { 'content-type': 'application/json' },
      status: 400,
      error: 'malformed_json',
    },
    {
      name: 'JSON that is not an object',
      path: '/api/event',
      body: '[1,2]',
      headers: { 'content-type': 'application/json' },
      status: 400,
      error: 'invalid_beacon',
    },
    {
      name: 'beacon without url',
      path: '/api/event',
      body: '{"site":"example.com"}',
      headers: { 'content-type': 'text/plain' },
      status: 400,
      error: 'invalid_beacon',
    },
    {
      name: 'beacon without site',
      path: '/api/event',
      body: '{"url":"https://example.com/"}',
      headers: { 'content-type': 'text/plain' },
      status: 400,
      error: 'missing_site',
    },
    {
      name: 'unknown site',
      path: '/api/event',
      body: '{"site":"evil.test","url":"https://evil.test/"}',
      headers: { 'content-type': 'text/plain' },
      status: 404,
      error: 'unknown_site',
    },
    {
      name: 'site that is not a host name',
      path: '/api/event',
      body: '{"site":"<script>","url":"https://x.test/"}',
      headers: { 'content-type': 'text/plain' },
      status: 400,
      error: 'invalid_site',
    },
    {
      name: 'log batch without token',
      path: '/api/logs?site=example.com',
      body: 'line',
      headers: { 'content-type': 'text/plain' },
      status: 401,
      error: 'missing_token',
    },
    {
      name: 'log batch with a wrong token',
      path: '/api/logs?site=example.com',
      body: 'line',
      headers: { 'content-type': 'text/plain', authorization: 'Bearer nope' },
      status: 401,
      error: 'bad_token',
    },
    {
      name: 'log batch too large',
      path: '/api/logs?site=example.com',
      body: 'x\n'.repeat(3000),
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
      status: 413,
      error: 'payload_too_large',
    },
    {
      name: 'log line too long',
      path: '/api/logs?site=example.com',
      body: `ok\n${'y'.repeat(600)}\n`,
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
      status: 413,
      error: 'line_too_long',
    },
    {
      name: 'log batch as octet-stream',
      path: '/api/logs?site=example.com',
      body: 'line',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${TOKEN}` },
      status: 415,
      error: 'unsupported_media_type',
    },
    {
      name: 'log batch for an unknown site',
      path: '/api/logs?site=other.test',
      body: 'line',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
      status: 404,
      error: 'unknown_site',
    },
    {
      name: 'log batch without site',
      path: '/api/logs',
      body: 'line',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
      status: 400,
      error: 'missing_site',
    },
    {
      name: 'empty log batch',
      path: '/api/logs?site=example.com',
      body: '\n\n',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
      status: 400,
      error: 'empty_batch',
    },
    {
      name: 'broken JSON array of lines',
      path: '/api/logs?site=example.com',
      body: '["a", ',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      status: 400,
      error: 'malformed_json',
    },
    {
      name: 'log batch with a lowercase bearer and a wrong token',
      path: '/api/logs?site=example.com',
      body: 'line',
      headers: { 'content-type': 'text/plain', authorization: 'bearer nope' },
      status: 401,
      error: 'bad_token',
    },
  ];

  it.each(cases)('$name → $status $error', async ({ path, body, headers, status, error }) => {
    const res = await post(makeApp(), path, body, headers);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await res.json()) as { error: string; message: string };
    expect(json.error).toBe(error);
    expect(json.message.length).toBeGreaterThan(10);
    expect(bus.stats().lag).toBe(0); // nothing of a refused request reaches the bus
  });

  it('answers 503 with Retry-After, not 2xx, when the bus cannot take the hit', async () => {
    const full = await LocalBus.open({ dir: tempDir('bus'), maxBytes: 10 });
    const res = await post(makeApp({}, full), '/api/event', beaconJson, { 'content-type': 'application/json' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error: string }).error).toBe('unavailable');
    await full.close();
  });

  it('limits beacons per client (an IPv6 /64 as one) and per site with 429 and Retry-After, and counts them', async () => {
    const beaconFrom = (app: ReturnType<typeof makeApp>, address: string, site = 'example.com') => {
      peer = address;
      return post(app, '/api/event', JSON.stringify({ site, url: `https://${site}/` }), { 'content-type': 'text/plain', 'user-agent': UA });
    };
    // 2 a second with bursts of 20: the 21st at once waits.
    const app = makeApp({ BEACON_RATE_PER_CLIENT: '2' });
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await beaconFrom(app, '2001:db8:5:6::1')).status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    const limited = await beaconFrom(app, '2001:db8:5:6:ffff::2'); // the same /64
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    expect((await beaconFrom(app, '2001:db8:5:7::1')).status).toBe(202); // the next /64
    expect((await beaconFrom(app, '198.51.100.20')).status).toBe(202);
    for (let i = 0; i < 30; i++) expect((await beaconFrom(app, '127.0.0.1')).status).toBe(202); // the machine itself: not limited
    // Per site, whoever sends: 1 a second with bursts of 10.
    const perSite = makeApp({ BEACON_RATE_PER_SITE: '1' });
    const bySite = [];
    for (let i = 0; i < 11; i++) bySite.push((await beaconFrom(perSite, `198.51.100.${30 + i}`)).status);
    expect(bySite).toEqual([...Array(10).fill(202), 429]);
    expect((await beaconFrom(perSite, '198.51.100.99', 'blog.example.com')).status).toBe(202);
    const ready = (await (await app.request('/readyz')).json()) as { refused: Record<string, number> };
    expect(ready.refused).toEqual({ client_rate: 2 });
    peer = '203.0.113.7';
  });

  it("takes a listed site's beacons from its own pages only (BEACON_ORIGINS), and counts the refusals", async () => {
    const app = makeApp({ BEACON_ORIGINS: 'example.com=https://example.com|https://www.example.com/' });
    const from = (origin: string | undefined, site = 'example.com') =>
      post(app, '/api/event', JSON.stringify({ site, url: `https://${site}/` }), {
        'content-type': 'text/plain',
        'user-agent': UA,
        ...(origin ? { origin } : {}),
      });
    const refused = await from('https://evil.test');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'origin_not_allowed' });
    expect((await from('http://example.com')).status).toBe(403); // another scheme is another origin
    expect((await from('https://www.example.com')).status).toBe(202);
    expect((await from('HTTPS://EXAMPLE.COM')).status).toBe(202);
    expect((await from(undefined)).status).toBe(202); // not a browser's page: rate limits are for those
    expect((await from('https://evil.test', 'blog.example.com')).status).toBe(202); // not listed: any origin
    const ready = (await (await app.request('/readyz')).json()) as { refused: Record<string, number> };
    expect(ready.refused).toEqual({ origin: 2 });
    expect(() => loadConfig({ BEACON_ORIGINS: 'example.com=example.com' })).toThrow(
      /BEACON_ORIGINS: "example.com=example.com" is not site=origin/,
    );
  });

  it('refuses JSON nested deeper than any beacon or log record with a 400, where it was a 500', async () => {
    // Parsing 8,000 levels is fine; encoding them for the bus ran out of stack.
    const app = makeApp({ BEACON_MAX_BYTES: '65536', LOG_BATCH_MAX_BYTES: '65536' });
    const deep = `${'['.repeat(8000)}${']'.repeat(8000)}`;
    const beacon = await post(app, '/api/event', `{"site":"example.com","url":"https://example.com/","props":${deep}}`, {
      'content-type': 'text/plain',
    });
    const logs = await post(app, '/api/logs?site=example.com', `[${deep}]`, {
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
    });
    for (const res of [beacon, logs]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'too_deep' });
    }
    // Brackets inside strings are text, not nesting.
    const text = await post(
      app,
      '/api/event',
      JSON.stringify({ site: 'example.com', url: 'https://example.com/', props: { q: '['.repeat(100) } }),
      { 'content-type': 'text/plain' },
    );
    expect(text.status).toBe(202);
  });

  it('takes every ingest token listed while shippers move to a new one', async () => {
    const app = collectorApp({
      config: loadConfig({ SITES: 'example.com' }),
      bus,
      ingestToken: ['new-token', 'old-token'],
      peerAddress: () => peer,
    });
    for (const token of ['new-token', 'old-token']) {
      expect(
        (await post(app, '/api/logs?site=example.com', 'line', { 'content-type': 'text/plain', authorization: `bearer ${token}` })).status,
        token,
      ).toBe(202);
    }
    expect(
      (await post(app, '/api/logs?site=example.com', 'line', { 'content-type': 'text/plain', authorization: 'Bearer older-token' })).status,
    ).toBe(401);
  });

  it('answers unknown endpoints with a JSON 404', async () => {
    const res = await makeApp().request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it.each([
    ['GET', '/api/event', 'POST'],
    ['DELETE', '/api/event', 'POST'],
    ['GET', '/api/logs?site=example.com', 'POST'],
    ['PUT', '/api/logs', 'POST'],
    ['POST', '/scalehouse.js', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s (RFC 9110 §15.5.6), not 404', async (method, path, allow) => {
    const res = await makeApp().request(path, { method, headers: { authorization: `Bearer ${TOKEN}` } });
    expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([
      405,
      allow,
      { error: 'method_not_allowed', message: `${method} is not allowed on ${path.split('?')[0]}: use ${allow}` },
    ]);
  });
});

describe('accepted hits', () => {
  it('puts a beacon on the bus with the headers the processor needs, and a pseudonym for the address', async () => {
    const res = await post(makeApp(), '/api/event', JSON.stringify({ site: 'Example.com', url: 'https://example.com/a', w: 1280 }), {
      'content-type': 'text/plain;charset=UTF-8',
      'user-agent': UA,
      'accept-language': 'de-DE,de;q=0.9',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    const [hit] = await consumed(bus, 1);
    expect(hit).toMatchObject({
      v: 1,
      kind: 'beacon',
      site: 'example.com',
      client: testPseudonymiser().address('203.0.113.7'),
      headers: { userAgent: UA, acceptLanguage: 'de-DE,de;q=0.9', optOut: false },
      payload: { url: 'https://example.com/a', w: 1280 },
    });
    expect(hit!.client).toMatch(/^~[A-Za-z0-9_-]{22}$/);
  });

  it('answers beacons of visitors who opted out (Sec-GPC, DNT) and writes nothing of them', async () => {
    const app = makeApp();
    const send = (headers: Record<string, string>, path: string) =>
      post(app, '/api/event', JSON.stringify({ site: 'example.com', url: `https://example.com/${path}` }), {
        'content-type': 'text/plain',
        'user-agent': UA,
        ...headers,
      });
    for (const [headers, path] of [
      [{ 'sec-gpc': '1' }, 'gpc'],
      [{ dnt: '1' }, 'dnt'],
      [{}, 'counted'],
    ] as const) {
      const res = await send(headers, path);
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: path === 'counted' ? 1 : 0 });
    }
    expect(bus.stats().lag).toBe(1);
    const hits = await consumed(bus, 1);
    expect(hits.map((h) => (h.kind === 'beacon' ? h.payload.url : ''))).toEqual(['https://example.com/counted']);
  });

  it('puts each line of a batch on the bus, from text, NDJSON and JSON arrays', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const app = makeApp();
    expect((await post(app, '/api/logs?site=example.com', 'a\r\nb\n\nc\n', { ...auth, 'content-type': 'text/plain' })).status).toBe(202);
    expect(
      (
        await post(app, '/api/logs', '{"message":"d"}\n{"log":"e"}\n', {
          ...auth,
          'content-type': 'application/x-ndjson',
          'x-scalehouse-site': 'blog.example.com',
        })
      ).status,
    ).toBe(202);
    const res = await post(app, '/api/logs?site=example.com', JSON.stringify(['f', { message: 'g' }]), {
      ...auth,
      'content-type': 'application/json',
    });
    expect(await res.json()).toEqual({ accepted: 2 });
    const hits = await consumed(bus, 7);
    expect(hits.map((h) => [h.site, h.kind === 'log' ? h.line : ''])).toEqual([
      ['example.com', 'a'],
      ['example.com', 'b'],
      ['example.com', 'c'],
      ['blog.example.com', '{"message":"d"}'],
      ['blog.example.com', '{"log":"e"}'],
      ['example.com', 'f'],
      ['example.com', '{"message":"g"}'],
    ]);
  });

  it('believes X-Forwarded-For only from trusted proxies', async () => {
    const send = async (xff: string) => {
      await post(makeApp(), '/api/event', JSON.stringify({ site: 'example.com', url: 'https://example.com/' }), {
        'content-type': 'application/json',
        'x-forwarded-for': xff,
      });
    };
    peer = '198.51.100.9'; // not a proxy: its header is ignored
    await send('1.2.3.4');
    peer = '10.0.0.2'; // a trusted proxy: the right-most untrusted hop is the client
    await send('6.6.6.6, 192.0.2.44, 10.0.0.9');
    peer = '::ffff:10.0.0.3'; // the same proxy over a v4-mapped IPv6 socket
    await send('2001:db8::1');
    const hits = await consumed(bus, 3);
    expect(hits.map((h) => h.client)).toEqual(['198.51.100.9', '192.0.2.44', '2001:db8::1'].map(testPseudonymiser().address));
  });
});
