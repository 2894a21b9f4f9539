/**
 * The beacon served straight from Node (server/direct-route.ts, as `scalehouse
 * start` serves it) and through Hono's adapter answer alike: the same statuses,
 * JSON bodies and headers for an accepted beacon and every refusal, the same
 * refusal counts and accepted hits on the bus, the same request timings — and
 * the direct server took every one of those requests itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { loadConfig } from '../../common/config.ts';
import { collectorRoutes } from '../../collector/routes.ts';
import { createServerApp } from '../../server/app.ts';
import { listen, socketPeer } from '../../server/listen.ts';
import { testPseudonymiser } from '../helpers/hits.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const config = loadConfig({
  SITES: 'example.com,limited.example',
  BEACON_MAX_BYTES: '512',
  BEACON_RATE_PER_CLIENT: '1',
  BEACON_ORIGINS: 'example.com=https://example.com',
  TRUSTED_PROXIES: '127.0.0.1',
});

interface Side {
  base: string;
  bus: LocalBus;
  counters: { accepted: number; optedOut: number; refused: Record<string, number> };
  timings: string[];
  /** Requests the server answered before Hono's adapter saw them. */
  direct: number;
  close(): Promise<void>;
}

async function side(direct: boolean): Promise<Side> {
  const bus = await LocalBus.open({ dir: tempDir('beacon-direct') });
  const counters = { accepted: 0, optedOut: 0, refused: {} as Record<string, number> };
  const timings: string[] = [];
  const app = createServerApp({
    trustedProxies: config.TRUSTED_PROXIES,
    peerAddress: socketPeer,
    routes: [collectorRoutes({ config, bus, ingestTokens: ['t'], counters, pseudonymise: testPseudonymiser() })],
    observeRequest: (route, status) => timings.push(`${route} ${status}`),
  });
  const s = { bus, counters, timings, direct: 0 } as Side;
  const server = await listen(
    {
      fetch: app.fetch,
      answerDirect: direct
        ? (req, res) => {
            const took = app.answerDirect(req, res);
            if (took) s.direct++;
            return took;
          }
        : undefined,
    },
    { host: '127.0.0.1', port: 0 },
  );
  s.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = async () => {
    await new Promise((r) => server.close(r));
    await bus.close();
  };
  return s;
}

interface Ask {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Sent in pieces with no Content-Length (chunked) when an array. */
  body?: string | string[];
}

/** What a client sees of the answer, less how it was framed (length or chunks, keep-alive, date). */
function ask(base: string, a: Ask): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${a.path ?? '/api/event'}`, { method: a.method ?? 'POST', headers: a.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => {
        const headers = { ...res.headers } as Record<string, string>;
        for (const h of ['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']) delete headers[h];
        resolve({ status: res.statusCode!, headers, body });
      });
    });
    req.on('error', reject);
    for (const piece of [a.body ?? []].flat()) req.write(piece);
    req.end();
  });
}

const VISITOR = {
  'x-forwarded-for': '203.0.113.9',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
};
const TEXT = { ...VISITOR, 'content-type': 'text/plain' };
const beacon = (o: Record<string, unknown> = {}) => JSON.stringify({ site: 'example.com', url: 'https://example.com/a', ...o });

/** Each case in order, on both servers: the rate limit's allowance is used up by the cases before it. */
const CASES: [string, Ask][] = [
  ['accepted, text/plain', { headers: TEXT, body: beacon() }],
  [
    'accepted, application/json, from its origin',
    { headers: { ...VISITOR, 'content-type': 'application/json', origin: 'https://example.com' }, body: beacon() },
  ],
  ['accepted, with a query', { path: '/api/event?v=1', headers: TEXT, body: beacon() }],
  ['opted out (Sec-GPC)', { headers: { ...TEXT, 'sec-gpc': '1' }, body: beacon() }],
  ['too big, declared', { headers: TEXT, body: beacon({ props: { pad: 'x'.repeat(600) } }) }],
  ['too big, in chunks', { headers: TEXT, body: [beacon().slice(0, 10), 'x'.repeat(300), 'x'.repeat(300)] }],
  ['not JSON', { headers: TEXT, body: '{"site":' }],
  ['nested too deep', { headers: TEXT, body: '['.repeat(40) + ']'.repeat(40) }],
  ['not an object', { headers: TEXT, body: '[1]' }],
  ['no site', { headers: TEXT, body: JSON.stringify({ url: 'https://example.com/' }) }],
  ['unknown site', { headers: TEXT, body: beacon({ site: 'other.example' }) }],
  ['no page URL', { headers: TEXT, body: beacon({ url: 'not a url' }) }],
  ['wrong content type', { headers: { ...VISITOR, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }],
  ['another origin', { headers: { ...TEXT, origin: 'https://evil.example' }, body: beacon() }],
  [
    'CORS preflight',
    {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'Content-Type, X-Extra',
      },
    },
  ],
  ['CORS preflight, no headers asked', { method: 'OPTIONS', headers: { origin: 'https://example.com' } }],
  ['wrong method', { method: 'GET', headers: VISITOR }],
  ['wrong method, PUT', { method: 'PUT', headers: TEXT, body: beacon() }],
  // BEACON_RATE_PER_CLIENT=1 allows a burst of 10 (collector/beacon-limits.ts): one client's 11th and 12th wait.
  ...Array.from({ length: 12 }, (_, i): [string, Ask] => [
    `one client's beacon ${i + 1}`,
    { headers: { ...TEXT, 'x-forwarded-for': '198.51.100.1' }, body: beacon() },
  ]),
  ['from the machine itself (not limited)', { headers: { 'content-type': 'text/plain' }, body: beacon() }],
];

let direct: Side;
let hono: Side;
beforeAll(async () => {
  [direct, hono] = await Promise.all([side(true), side(false)]);
});
afterAll(async () => {
  await direct.close();
  await hono.close();
});

describe('the beacon answered straight from Node', () => {
  it('answers every case as Hono does, in status, JSON body and headers', async () => {
    const seen: string[] = [];
    for (const [i, [name, asked]] of CASES.entries()) {
      // Each case from a visitor of its own, unless it says whose it is: the rate limit is for its own case.
      const own = asked.headers?.['x-forwarded-for'] === VISITOR['x-forwarded-for'];
      const a = own ? { ...asked, headers: { ...asked.headers, 'x-forwarded-for': `203.0.113.${i + 1}` } } : asked;
      const d = await ask(direct.base, a);
      const h = await ask(hono.base, a);
      expect(d, name).toEqual(h);
      seen.push(`${d.status} ${d.body ? (JSON.parse(d.body).error ?? 'accepted') : ''}`.trim());
    }
    // The cases are the refusals they say they are (a case that passed by accident would prove nothing).
    expect(seen).toEqual([
      '202 accepted',
      '202 accepted',
      '202 accepted',
      '202 accepted',
      '413 payload_too_large',
      '413 payload_too_large',
      '400 malformed_json',
      '400 too_deep',
      '400 invalid_beacon',
      '400 missing_site',
      '404 unknown_site',
      '400 invalid_beacon',
      '415 unsupported_media_type',
      '403 origin_not_allowed',
      '204',
      '204',
      '405 method_not_allowed',
      '405 method_not_allowed',
      ...Array<string>(10).fill('202 accepted'),
      '429 rate_limited',
      '429 rate_limited',
      '202 accepted',
    ]);
  });

  it('took every beacon and preflight itself, and counts, times and writes as Hono does', () => {
    const wrongMethods = 2;
    expect(direct.direct).toBe(CASES.length - wrongMethods);
    expect(hono.direct).toBe(0);
    expect(direct.counters).toEqual(hono.counters);
    expect(direct.counters.accepted).toBe(14);
    expect(direct.counters.optedOut).toBe(1);
    expect(direct.counters.refused).toEqual({
      client_rate: 2,
      payload_too_large: 2,
      malformed_json: 1,
      too_deep: 1,
      invalid_beacon: 2,
      missing_site: 1,
      unknown_site: 1,
      unsupported_media_type: 1,
      origin: 1,
    });
    expect(direct.timings).toEqual(hono.timings);
    expect(direct.bus.stats().lag).toBe(hono.bus.stats().lag);
  });
});
