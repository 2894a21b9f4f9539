/**
 * Forms that change state (log in, log out) are only taken from the
 * dashboard's own pages: a browser says where a request comes from
 * (Sec-Fetch-Site; Origin on older ones), and a cross-site one is refused —
 * another site cannot log a visitor out, or into an account of its choosing.
 * Requests without either header (curl, scripts) are not a browser's and
 * carry no ambient cookie worth forging.
 */
import type { Context } from 'hono';
import { httpError } from '../../common/http-error.ts';

export function requireSameOrigin(c: Context): void {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    throw httpError(403, 'cross_site', "this form is only accepted from the dashboard's own pages");
  }
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host !== c.req.header('host'))
    throw httpError(403, 'cross_site', "this form is only accepted from the dashboard's own pages");
}
