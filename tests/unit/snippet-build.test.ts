/**
 * The beacon as the collector serves it: the committed minified build is what
 * esbuild makes of the readable source now (so the two cannot drift), each
 * coding a client asks for comes back whole with its own strong ETag, a
 * current ETag gets 304, and gzipped it stays within its 1,024-byte budget.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { SNIPPET_MINIFIED, SNIPPET_SOURCE, buildSnippet } from '../../scripts/build-snippet.ts';
import { snippetRoutes } from '../../collector/routes/snippet.ts';
import { chooseCoding } from '../../server/static-asset.ts';

const minified = readFileSync(SNIPPET_MINIFIED);
const app = new Hono().route('/', snippetRoutes());
const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => app.request(path, { method, headers });
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('the snippet build', () => {
  it('is committed as esbuild makes it from snippet/scalehouse.js (run `npm run build:snippet` after editing the source)', async () => {
    expect(minified.toString('utf8')).toBe(await buildSnippet());
  });
});

describe('GET /scalehouse.js', () => {
  it('answers each Accept-Encoding with its coding, the whole file, a strong ETag of its own and the same headers', async () => {
    const seen = [];
    for (const [accept, coding] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip, deflate', 'gzip'],
      ['', undefined],
    ] as const) {
      const res = await get('/scalehouse.js', accept ? { 'accept-encoding': accept } : {});
      const body = await bytes(res);
      const decoded = coding === 'br' ? brotliDecompressSync(body) : coding === 'gzip' ? gunzipSync(body) : body;
      expect(decoded.equals(minified)).toBe(true);
      seen.push({
        status: res.status,
        coding: res.headers.get('content-encoding'),
        length: Number(res.headers.get('content-length') ?? body.length) === body.length,
        type: res.headers.get('content-type'),
        vary: res.headers.get('vary'),
        cache: res.headers.get('cache-control'),
        cors: res.headers.get('access-control-allow-origin'),
        corp: res.headers.get('cross-origin-resource-policy'),
      });
    }
    const common = {
      status: 200,
      length: true,
      type: 'text/javascript; charset=utf-8',
      vary: 'Accept-Encoding',
      cache: 'public, max-age=3600, stale-while-revalidate=86400',
      cors: '*',
      corp: 'cross-origin',
    };
    expect(seen).toEqual([
      { ...common, coding: 'br' },
      { ...common, coding: 'gzip' },
      { ...common, coding: null },
    ]);
    const etags = await Promise.all(
      ['br', 'gzip', 'identity'].map(async (a) => (await get('/scalehouse.js', { 'accept-encoding': a })).headers.get('etag')),
    );
    expect(new Set(etags).size).toBe(3);
    for (const etag of etags) expect(etag).toMatch(/^"[\w-]+"$/); // strong: no W/
  });

  it('is at most 1,024 bytes gzipped as served', async () => {
    const gzipped = await bytes(await get('/scalehouse.js', { 'accept-encoding': 'gzip' }));
    expect(gzipped.length).toBeLessThanOrEqual(1024);
  });

  it('answers 304, with its validators and no body, to an If-None-Match naming the current ETag of the coding asked for', async () => {
    const etag = (await get('/scalehouse.js', { 'accept-encoding': 'gzip' })).headers.get('etag')!;
    const again = async (ifNoneMatch: string, accept = 'gzip') => {
      const res = await get('/scalehouse.js', { 'accept-encoding': accept, 'if-none-match': ifNoneMatch });
      return { status: res.status, etag: res.headers.get('etag'), vary: res.headers.get('vary'), body: (await bytes(res)).length };
    };
    expect(await again(etag)).toEqual({ status: 304, etag, vary: 'Accept-Encoding', body: 0 });
    expect((await again(`"other", W/${etag}`)).status).toBe(304); // a list; weak comparison (RFC 9110 §13.1.2)
    expect((await again('*')).status).toBe(304);
    expect((await again('"other"')).status).toBe(200);
    expect((await again(etag, 'br')).status).toBe(200); // the brotli representation has a tag of its own
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const res = await get('/scalehouse.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect({ status: res.status, coding: res.headers.get('content-encoding'), body: (await bytes(res)).length }).toEqual({
      status: 200,
      coding: 'br',
      body: 0,
    });
  });

  it('serves the readable source beside it at /scalehouse.src.js', async () => {
    const res = await get('/scalehouse.src.js');
    expect((await bytes(res)).equals(readFileSync(SNIPPET_SOURCE))).toBe(true);
  });
});

describe('choosing a content coding (RFC 9110 §12.5.3)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['identity', 'identity'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0.1, gzip', 'gzip'],
    ['*, br;q=0', 'gzip'],
    ['GZIP;Q=1', 'gzip'],
    ['deflate, zstd', 'identity'],
  ] as const)('%j → %s', (accept, coding) => {
    expect(chooseCoding(accept)).toBe(coding);
  });
});
