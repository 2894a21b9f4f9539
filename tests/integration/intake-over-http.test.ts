/**
 * The intake endpoints served by Node's HTTP server, as `scalehouse start`
 * serves them (server/read-body.ts reads bodies straight from Node's
 * request there, not through Hono's web Request): size limits hold whether
 * the length is declared or the body comes in chunks, accepted hits are on
 * the bus, and the beacon's CORS answers what browsers ask.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { loadConfig } from '../../common/config.ts';
import { DEFAULT_SERVER_LIMITS, listen } from '../../server/listen.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

const TOKEN = 'test-token';
const dir = mkdtempSync(join(tmpdir(), 'scalehouse-intake-http-'));
let bus: LocalBus;
let server: Awaited<ReturnType<typeof listen>>;
let base: string;

beforeAll(async () => {
  bus = await LocalBus.open({ dir });
  const config = loadConfig({ SITES: 'example.com', BEACON_MAX_BYTES: '1024', LOG_BATCH_MAX_BYTES: '4096', LOG_LINE_MAX_BYTES: '512' });
  const app = collectorApp({ config, bus, ingestToken: TOKEN, peerAddress: () => '203.0.113.7' });
  server = await listen(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

/** POSTs `chunks` one write each, with no Content-Length (chunked), and reads the answer. */
function postChunked(
  path: string,
  chunks: string[],
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (d) => {
          text += d;
        })
        .on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

const beacon = (extra: Record<string, unknown> = {}) => JSON.stringify({ site: 'example.com', url: 'https://example.com/a', ...extra });
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('intake over Node HTTP', () => {
  it('accepts a beacon, says any origin may send it, and puts it on the bus', async () => {
    const before = bus.stats().lag;
    const res = await fetch(`${base}/api/event`, {
      method: 'POST',
      body: beacon(),
      headers: { 'content-type': 'text/plain', 'user-agent': UA, origin: 'https://example.com' },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(bus.stats().lag).toBe(before + 1);
  });

  it('answers a CORS preflight with the methods and the headers asked for', async () => {
    const res = await fetch(`${base}/api/event`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-custom',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-custom');
    expect(res.headers.get('access-control-max-age')).toBe('86400');
  });

  it('refuses a beacon over the limit, declared or chunked, with 413 and a reason', async () => {
    const big = beacon({ pad: 'x'.repeat(2000) });
    const declared = await fetch(`${base}/api/event`, { method: 'POST', body: big, headers: { 'content-type': 'text/plain' } });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error).toBe('payload_too_large');
    const chunked = await postChunked('/api/event', [big.slice(0, 600), big.slice(600, 1200), big.slice(1200)], {
      'content-type': 'text/plain',
    });
    expect(chunked).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
  });

  it('takes a chunked beacon and log batch under the limits whole', async () => {
    const before = bus.stats().lag;
    const b = beacon({ type: 'pageview' });
    expect(
      await postChunked('/api/event', [b.slice(0, 10), b.slice(10)], { 'content-type': 'application/json', 'user-agent': UA }),
    ).toEqual({ status: 202, body: { accepted: 1 } });
    const line = (i: number) => `203.0.113.9 - - [02/Dec/2026:10:00:0${i} +0000] "GET /p${i} HTTP/1.1" 200 5 "-" "${UA}"\n`;
    const lines = [0, 1, 2].map(line);
    const res = await postChunked('/api/logs?site=example.com', lines, { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` });
    expect(res).toEqual({ status: 202, body: { accepted: lines.length } });
    expect(bus.stats().lag).toBe(before + 1 + lines.length);
  });

  it('refuses a chunked log batch over the limit and puts none of it on the bus', async () => {
    const before = bus.stats().lag;
    const chunk = `203.0.113.9 - - [02/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"\n`.repeat(20);
    const res = await postChunked(
      '/api/logs?site=example.com',
      Array.from({ length: 5 }, () => chunk),
      { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
    );
    expect(res).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(bus.stats().lag).toBe(before);
  });
});

describe('limits on what one client can hold', () => {
  /** A raw socket to `server`, with what it receives and when it was closed. */
  const rawClient = (port: number) => {
    const socket = connect(port, '127.0.0.1');
    const seen = { data: '', closedAt: 0 };
    socket
      .setEncoding('utf8')
      .on('data', (d) => {
        seen.data += d;
      })
      .on('close', () => {
        seen.closedAt = Date.now();
      })
      .on('error', () => undefined);
    return { socket, seen, open: new Promise<void>((r) => socket.once('connect', () => r())) };
  };

  it('closes a request whose body trickles in (a byte a second) once the request timeout passes', async () => {
    const slow = await listen(
      collectorApp({ config: loadConfig({ SITES: 'example.com' }), bus, ingestToken: TOKEN, peerAddress: () => '203.0.113.7' }),
      { host: '127.0.0.1', port: 0, limits: { ...DEFAULT_SERVER_LIMITS, requestTimeoutMs: 1_500, maxConnections: 100 } },
    );
    try {
      const c = rawClient((slow.address() as AddressInfo).port);
      await c.open;
      const started = Date.now();
      c.socket.write('POST /api/event HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 200\r\n\r\n{');
      const trickle = setInterval(() => c.socket.writable && c.socket.write(' '), 1_000);
      await waitFor('the server to close the trickling request', async () => (c.seen.closedAt ? true : undefined), 20_000);
      clearInterval(trickle);
      expect(c.seen.data).toMatch(/^HTTP\/1\.1 408/);
      // Cut off around the timeout, not after Node's default five minutes (the bound is generous: checks run on an interval).
      expect(c.seen.closedAt - started).toBeLessThan(10_000);
    } finally {
      await new Promise((r) => slow.close(r));
    }
  });

  it('closes connections beyond the cap as they arrive, and serves again once they are gone', async () => {
    const capped = await listen(
      collectorApp({ config: loadConfig({ SITES: 'example.com' }), bus, ingestToken: TOKEN, peerAddress: () => '203.0.113.7' }),
      { host: '127.0.0.1', port: 0, limits: { ...DEFAULT_SERVER_LIMITS, requestTimeoutMs: 30_000, maxConnections: 3 } },
    );
    const port = (capped.address() as AddressInfo).port;
    try {
      const held = Array.from({ length: 3 }, () => rawClient(port));
      await Promise.all(held.map((c) => c.open));
      await new Promise((r) => setTimeout(r, 200)); // the server has accepted them
      const extra = rawClient(port);
      await waitFor('the connection over the cap to be closed', async () => (extra.seen.closedAt ? true : undefined), 10_000);
      expect(held.map((c) => c.seen.closedAt)).toEqual([0, 0, 0]);
      held.forEach((c) => c.socket.destroy());
      const open = () => new Promise<number>((r) => capped.getConnections((_e, n) => r(n)));
      await waitFor('the server to see the held connections go', async () => ((await open()) === 0 ? true : undefined), 10_000);
      const again = rawClient(port);
      await again.open;
      again.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await waitFor('an answer on a new connection', async () => (again.seen.closedAt ? true : undefined), 10_000);
      expect(again.seen.data).toMatch(/^HTTP\/1\.1 \d{3}/);
    } finally {
      await new Promise((r) => capped.close(r));
    }
  });
});
