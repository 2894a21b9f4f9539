/**
 * Static files served from memory — the beacon (/scalehouse.js), the
 * dashboard's files (/ui/…) and a shared link's (/share/TOKEN/ui/…) — by one
 * server: each request answered with the coding its Accept-Encoding prefers
 * (RFC 9110 §12.5.3), compressed once per file and coding with gzip and brotli
 * at their best settings (on the first request that asks for it, so start-up
 * and tests that never fetch a file pay nothing), `Vary: Accept-Encoding` so
 * caches keep them apart, and a strong ETag per coding — each coding is a
 * representation of its own, and a strong validator must tell them apart
 * (§8.8.3). If-None-Match with a tag still current gets 304 (§13.6.2;
 * compared weakly, §13.1.2). How long and where an answer may be cached is
 * the caller's (Cache-Control).
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import { httpError } from '../common/http-error.ts';

type Coding = 'br' | 'gzip' | 'identity';
interface Representation {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

/** Headers every answer carries, 200 or 304: at least its type and how long to cache it. */
export interface AssetHeaders {
  'content-type': string;
  'cache-control': string;
  [name: string]: string;
}

/** A file of a set served by name (serveFiles). */
export interface StaticFile {
  body: Buffer;
  type: string;
}

/** How much each coding is wanted (q, 0 to 1) by an Accept-Encoding value; `*` stands for codings not named. */
function wanted(acceptEncoding: string | undefined): (coding: Coding) => number {
  const q = new Map<string, number>();
  for (const item of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = item.split(';').map((s) => s.trim());
    if (!name) continue;
    const weight = params.find((p) => p.startsWith('q='));
    q.set(name === 'x-gzip' ? 'gzip' : name, weight ? Number(weight.slice(2)) || 0 : 1);
  }
  return (coding) => q.get(coding) ?? (coding === 'identity' ? 1 : (q.get('*') ?? 0));
}

/** br where it is wanted at least as much as gzip, else gzip, else the file as it is (also when the client asked for neither: §12.5.3 lets it through). */
export function chooseCoding(acceptEncoding: string | undefined): Coding {
  const q = wanted(acceptEncoding);
  if (q('br') > 0 && q('br') >= q('gzip')) return 'br';
  return q('gzip') > 0 ? 'gzip' : 'identity';
}

/** Whether an If-None-Match value names `etag` (or is `*`). */
const matches = (ifNoneMatch: string, etag: string): boolean =>
  ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === etag;
  });

const compress: Record<Coding, (file: Buffer) => Buffer> = {
  identity: (file) => file,
  gzip: (file) => gzipSync(file, { level: 9 }),
  br: (file) =>
    brotliCompressSync(file, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: file.length,
      },
    }),
};
const SUFFIX: Record<Coding, string> = { identity: '', gzip: '-gz', br: '-br' };

/** Answers a request for `file` in the coding it prefers; each coding is made once, when first asked for. */
function answerer(file: Buffer): (c: Context, headers: AssetHeaders) => Response {
  const digest = createHash('sha256').update(file).digest('base64url').slice(0, 22);
  const made = new Map<Coding, Representation>();
  const representation = (coding: Coding): Representation => {
    let r = made.get(coding);
    if (!r) made.set(coding, (r = { body: new Uint8Array(compress[coding](file)), etag: `"${digest}${SUFFIX[coding]}"` }));
    return r;
  };
  return (c, headers) => {
    const coding = chooseCoding(c.req.header('accept-encoding'));
    const { body, etag } = representation(coding);
    const common = { ...headers, etag, vary: 'Accept-Encoding' };
    const ifNoneMatch = c.req.header('if-none-match');
    if (ifNoneMatch !== undefined && matches(ifNoneMatch, etag)) return c.body(null, 304, common);
    return c.body(body, 200, coding === 'identity' ? common : { ...common, 'content-encoding': coding });
  };
}

/** GET handler of one file (the beacon). */
export function serveFile(file: Buffer, headers: AssetHeaders): (c: Context) => Response {
  const answer = answerer(file);
  return (c) => answer(c, headers);
}

/** Serves a set of files by name (the request's `:file`); `cacheControl` is the caller's, 404 for a name not in the set. */
export type FilesServer = (c: Context, cacheControl: string) => Response;

/** One server for a set of files: every caller of it shares the codings made (the dashboard's /ui and a shared link's). */
export function serveFiles(files: Readonly<Record<string, StaticFile>>): FilesServer {
  const answerers = new Map(Object.entries(files).map(([name, f]) => [name, { answer: answerer(f.body), type: f.type }]));
  return (c, cacheControl) => {
    const name = c.req.param('file') ?? '';
    // A Map, not the object: no name reaches its prototype (`constructor`, `__proto__`).
    const file = answerers.get(name);
    if (!file) throw httpError(404, 'not_found', 'no such file');
    return file.answer(c, { 'content-type': file.type, 'cache-control': cacheControl });
  };
}
