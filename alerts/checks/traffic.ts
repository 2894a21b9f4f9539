/**
 * Traffic spikes, drops and silence against the seasonal baseline
 * (baseline.ts). A change must be large in ratio, large against the usual
 * week-to-week wander (3 × spread), and large in volume (minHits), so quiet
 * sites and normal weekly rhythm page no one. A site with no hits at all is
 * "silent" rather than "dropped": more likely the logs stopped than the
 * visitors.
 */
import { seasonalBaseline } from '../baseline.ts';
import { num, type Finding } from '../finding.ts';
import type { AlertRules } from '../rules.ts';
import type { SiteSignal } from '../signals.ts';

const WANDER = 3;

export function checkTraffic(sites: SiteSignal[], rules: AlertRules): Finding[] {
  const found: Finding[] = [];
  for (const s of sites) {
    const t = rules.forSite(s.site);
    if (s.earlierWeeks.length < t.minBaselineWeeks) continue;
    const { expected, spread } = seasonalBaseline(s.earlierWeeks.map((w) => w.hits));
    const hits = s.current.hits;
    const usual = `expected ~${num(expected)} (median of the same ${t.windowMinutes} minutes in the last ${s.earlierWeeks.length} weeks)`;
    const base = { site: s.site, subject: '', value: hits, expected };
    if (hits === 0 && expected >= t.silentMinExpected) {
      if (!t.off.includes('site_silent'))
        found.push({ ...base, rule: 'site_silent', summary: `${s.site} sent no hits in the last ${t.windowMinutes} minutes; ${usual}` });
    } else if (hits >= t.minHits && hits >= t.spikeRatio * expected && hits - expected >= WANDER * spread) {
      if (!t.off.includes('traffic_spike'))
        found.push({
          ...base,
          rule: 'traffic_spike',
          summary: `traffic spike on ${s.site}: ${num(hits)} hits in the last ${t.windowMinutes} minutes, ${usual}`,
        });
    } else if (expected >= t.minHits && hits <= t.dropRatio * expected && expected - hits >= WANDER * spread) {
      if (!t.off.includes('traffic_drop'))
        found.push({
          ...base,
          rule: 'traffic_drop',
          summary: `traffic drop on ${s.site}: ${num(hits)} hits in the last ${t.windowMinutes} minutes, ${usual}`,
        });
    }
  }
  return found;
}
