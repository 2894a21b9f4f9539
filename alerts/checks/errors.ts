/**
 * Error-rate jumps (5xx, 4xx) against the site's usual rate — the higher of
 * its rate over the week before and its median rate in the same window of
 * earlier weeks, so a scan that comes every Monday night is usual too — and
 * paths newly answering 5xx. A site that always answers 8% 404s is not
 * alarming at 9%; the margin keeps a near-zero usual rate from making every
 * handful of errors a jump, and minErrors keeps a few from counting.
 */
import { median } from '../baseline.ts';
import { num, pct, type Finding } from '../finding.ts';
import type { AlertRules } from '../rules.ts';
import type { Signals } from '../signals.ts';

export function checkErrorRates(sites: Signals['sites'], rules: AlertRules): Finding[] {
  const found: Finding[] = [];
  for (const s of sites) {
    const t = rules.forSite(s.site);
    for (const [rule, key, limits] of [
      ['error_rate_5xx', 'errors5xx', t.errors5xx],
      ['error_rate_4xx', 'errors4xx', t.errors4xx],
    ] as const) {
      if (t.off.includes(rule) || s.current.hits < t.minHits || s.current[key] < limits.minErrors) continue;
      const rate = s.current[key] / s.current.hits;
      const rateOf = (c: typeof s.current) => (c.hits > 0 ? c[key] / c.hits : 0);
      const usual = Math.max(rateOf(s.lastWeek), median(s.earlierWeeks.map(rateOf)));
      if (rate < Math.max(limits.factor * usual, usual + limits.margin)) continue;
      const kind = key === 'errors5xx' ? '5xx' : '4xx';
      found.push({
        rule,
        site: s.site,
        subject: '',
        value: rate,
        expected: usual,
        summary: `${kind} errors on ${s.site}: ${pct(rate)} of ${num(s.current.hits)} hits in the last ${t.windowMinutes} minutes (${num(s.current[key])} errors), usually ${pct(usual)}`,
      });
    }
  }
  return found;
}

export function checkFailingPaths(paths: Signals['failingPaths'], rules: AlertRules): Finding[] {
  return paths
    .filter((p) => {
      const t = rules.forSite(p.site);
      return !t.off.includes('failing_path') && p.recent5xx >= t.failingPathMinErrors;
    })
    .map((p) => ({
      rule: 'failing_path' as const,
      site: p.site,
      subject: p.path,
      value: p.recent5xx,
      expected: 0,
      summary: `${p.path} on ${p.site} newly fails: ${num(p.recent5xx)} of ${num(p.recentHits)} hits answered 5xx since the last hour began, none in the 7 days before`,
    }));
}
