/**
 * Headers every dashboard response carries: the pages load scripts and
 * styles from this origin only (inline style attributes are allowed: the
 * charts and bars size themselves with them), may not be framed by another
 * site, are never sniffed into another type, and send no URL of the
 * dashboard (site names, filters) to another origin.
 *
 * The one exception to "not framed": the page of a shared link whose owner
 * listed origins that may embed it (allowFramingBy). Its CSP names them in
 * frame-ancestors, and it carries no X-Frame-Options, which cannot name
 * origins (ALLOW-FROM is obsolete) and which browsers that know
 * frame-ancestors ignore beside it (CSP Level 2, §7.7.1).
 */
import type { Context, MiddlewareHandler } from 'hono';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

const HEADERS: Record<string, string> = {
  'content-security-policy': `${CSP}; frame-ancestors 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Responses allowed to be framed, and by which origins (checked origins only: dashboard/share/link-input.ts). */
const framing = new WeakMap<Request, string[]>();

/** Lets the response to this request be framed by `origins` (and by no one when the list is empty). */
export function allowFramingBy(c: Context, origins: string[]): void {
  if (origins.length) framing.set(c.req.raw, origins);
}

export const securityHeaders: MiddlewareHandler = async function securityHeaders(c, next) {
  await next();
  const origins = framing.get(c.req.raw);
  for (const [name, value] of Object.entries(HEADERS)) c.res.headers.set(name, value);
  if (origins) {
    c.res.headers.set('content-security-policy', `${CSP}; frame-ancestors ${origins.join(' ')}`);
    c.res.headers.delete('x-frame-options');
  }
};
