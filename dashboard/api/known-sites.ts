/**
 * Whether a site is one: configured in SITES, or with data. Asked before a
 * query of the stats API runs (answer.ts: an unknown site is a 404, not an
 * empty answer that reads as a quiet day) and before a realtime stream opens
 * for it: a
 * stream for a name nobody sends hits for would keep a reader polling for
 * nothing (one per name, so a list of made-up names was a query each per
 * tick). One lookup in traffic_minute's index per request (site-seen.rollup.sql);
 * a site found is remembered — rollups are kept, so it stays found — and a
 * site not found is asked again next time, so a new site's realtime view
 * opens as soon as its first hit is loaded.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { runNamedQuery } from '../../clickhouse/named-query.ts';

/** Sites remembered at most: beyond it they are asked each time (no memory grows with outside input). */
const REMEMBERED = 10_000;

export type SiteKnown = (site: string) => Promise<boolean>;

/** `configured`: SITES (a list, or '*' for any name — then only data makes a site known). */
export function knownSites(ch: ClickHouse, configured: readonly string[] | '*' = []): SiteKnown {
  const named = new Set(configured === '*' ? [] : configured.map((s) => s.toLowerCase()));
  const seen = new Set<string>();
  return async (site) => {
    if (seen.has(site) || named.has(site.toLowerCase())) return true;
    const found = (await runNamedQuery(ch, 'site-seen.rollup', { site })).length > 0;
    if (found && seen.size < REMEMBERED) seen.add(site);
    return found;
  };
}
