/** Whether the collector accepts hits for a site (SITES: a list, or "*" for any valid name). */
import { isValidSiteName } from '../common/config.ts';
import { httpError } from '../common/http-error.ts';

export function checkSite(site: unknown, allowed: string[] | '*'): string {
  if (typeof site !== 'string' || site === '') throw httpError(400, 'missing_site', 'say which site this is for ("site" in the beacon, ?site= for log batches)');
  const name = site.toLowerCase();
  if (!isValidSiteName(name)) throw httpError(400, 'invalid_site', `"${site.slice(0, 100)}" is not a valid site name (a lowercase host name)`);
  if (allowed !== '*' && !allowed.includes(name)) throw httpError(404, 'unknown_site', `site "${name}" is not configured; add it to SITES`);
  return name;
}
