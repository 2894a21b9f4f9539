/** Whether the collector accepts hits for a site (SITES: a list, or "*" for any valid name). */
import { isValidSiteName, type Config } from '../common/config.ts';
import { ScalehouseError } from '../common/errors.ts';
import { httpError } from '../common/http-error.ts';
import { isLoopback } from '../server/client-key.ts';
import { own } from '../common/own.ts';

/**
 * SITES=* (the default) is for trying Scalehouse on one machine. Served to
 * other machines it lets anyone fill the database with hits for site names
 * of their choosing, so a collector listening beyond loopback refuses to
 * start with it unless ALLOW_ANY_SITE says that is meant.
 */
/**
 * A beacon for a site with allowed origins (BEACON_ORIGINS) must come from one
 * of them when a browser says where it comes from: another site cannot make
 * its visitors' browsers send hits for yours. A request without Origin is not
 * a browser's page and passes; it is what rate limits are for.
 */
export function checkOrigin(site: string, origin: string | undefined, allowed: Record<string, string[]>): void {
  const origins = own(allowed, site);
  if (!origins || origin === undefined || origins.includes(origin.toLowerCase())) return;
  throw httpError(
    403,
    'origin_not_allowed',
    `beacons for ${site} are taken from ${origins.join(', ')} only (BEACON_ORIGINS)`,
    undefined,
    'origin',
  );
}

export function checkOpenIntake(config: Pick<Config, 'HOST' | 'SITES' | 'ALLOW_ANY_SITE'>): void {
  if (config.SITES !== '*' || config.ALLOW_ANY_SITE || isLoopback(config.HOST)) return;
  throw new ScalehouseError(
    `HOST=${config.HOST} serves the collector to other machines, and SITES=* would take hits for any site name from anyone. ` +
      'List your sites (SITES=example.com,blog.example.com), or set ALLOW_ANY_SITE=true if that is what you want.',
  );
}

export function checkSite(site: unknown, allowed: string[] | '*'): string {
  if (typeof site !== 'string' || site === '')
    throw httpError(400, 'missing_site', 'say which site this is for ("site" in the beacon, ?site= for log batches)');
  const name = site.toLowerCase();
  if (!isValidSiteName(name))
    throw httpError(400, 'invalid_site', `"${site.slice(0, 100)}" is not a valid site name (a lowercase host name)`);
  if (allowed !== '*' && !allowed.includes(name)) throw httpError(404, 'unknown_site', `site "${name}" is not configured; add it to SITES`);
  return name;
}
