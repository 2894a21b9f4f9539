/**
 * Headers every dashboard response carries: the pages load scripts and
 * styles from this origin only (inline style attributes are allowed: the
 * charts and bars size themselves with them), may not be framed by another
 * site, are never sniffed into another type, and send no URL of the
 * dashboard (site names, filters) to another origin.
 */
import type { MiddlewareHandler } from 'hono';

const HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export const securityHeaders: MiddlewareHandler = async function securityHeaders(c, next) {
  await next();
  for (const [name, value] of Object.entries(HEADERS)) c.res.headers.set(name, value);
};
