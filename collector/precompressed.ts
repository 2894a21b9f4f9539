/**
 * A small file served to every visitor of every page (the beacon): compressed
 * once, at start-up, with gzip and brotli at their best settings, and each
 * request answered with the coding its Accept-Encoding prefers (RFC 9110
 * §12.5.3), `Vary: Accept-Encoding` so caches keep them apart, and a strong
 * ETag per coding — each coding is a representation of its own, and a strong
 * validator must tell them apart (§8.8.3). If-None-Match with a tag still
 * current gets 304 (§13.6.2; compared weakly, §13.1.2).
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Context } from 'hono';

type Coding = 'br' | 'gzip' | 'identity';
interface Representation { body: Uint8Array<ArrayBuffer>; etag: string }

/** Headers every answer carries, 200 or 304: how long to cache, and that any site may load it. */
export interface AssetHeaders { 'content-type': string; 'cache-control': string; [name: string]: string }

/** How much each coding is wanted (q, 0 to 1) by an Accept-Encoding value; `*` stands for codings not named. */
function wanted(acceptEncoding: string | undefined): (coding: Coding) => number {
  const q = new Map<string, number>();
  for (const item of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = item.split(';').map((s) => s.trim());
    if (!name) continue;
    const weight = params.find((p) => p.startsWith('q='));
    q.set(name === 'x-gzip' ? 'gzip' : name, weight ? Number(weight.slice(2)) || 0 : 1);
  }
  return (coding) => q.get(coding) ?? (coding === 'identity' ? 1 : q.get('*') ?? 0);
}

/** br where it is wanted at least as much as gzip, else gzip, else the file as it is (also when the client asked for neither: §12.5.3 lets it through). */
export function chooseCoding(acceptEncoding: string | undefined): Coding {
  const q = wanted(acceptEncoding);
  if (q('br') > 0 && q('br') >= q('gzip')) return 'br';
  return q('gzip') > 0 ? 'gzip' : 'identity';
}

/** Whether an If-None-Match value names `etag` (or is `*`). */
const matches = (ifNoneMatch: string, etag: string): boolean =>
  ifNoneMatch.split(',').some((tag) => { const t = tag.trim().replace(/^W\//, ''); return t === '*' || t === etag; });

export function precompressed(file: Buffer, headers: AssetHeaders): (c: Context) => Response {
  const digest = createHash('sha256').update(file).digest('base64url').slice(0, 22);
  const codings: Record<Coding, Representation> = {
    identity: { body: new Uint8Array(file), etag: `"${digest}"` },
    gzip: { body: new Uint8Array(gzipSync(file, { level: 9 })), etag: `"${digest}-gz"` },
    br: {
      body: new Uint8Array(brotliCompressSync(file, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: file.length } })),
      etag: `"${digest}-br"`,
    },
  };
  return (c) => {
    const coding = chooseCoding(c.req.header('accept-encoding'));
    const { body, etag } = codings[coding];
    const common = { ...headers, etag, vary: 'Accept-Encoding' };
    const ifNoneMatch = c.req.header('if-none-match');
    if (ifNoneMatch !== undefined && matches(ifNoneMatch, etag)) return c.body(null, 304, common);
    return c.body(body, 200, coding === 'identity' ? common : { ...common, 'content-encoding': coding });
  };
}
