/**
 * What counts as worth a notification, per site. Defaults suit a site of a
 * few thousand hits a day and up; ALERT_RULES names a JSON file that changes
 * them for every site ("default") or one ("sites": {"example.com": {…}}),
 * and can turn rules off ("off": ["error_rate_4xx"]). Validated at start-up:
 * a typo in a rule file must not silently leave a site unwatched.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, errorMessage } from '../common/errors.ts';

export const RULE_NAMES = [
  'traffic_spike',
  'traffic_drop',
  'site_silent',
  'error_rate_5xx',
  'error_rate_4xx',
  'failing_path',
  'dead_letters',
  'intake_refusals',
  'batch_failures',
  'batch_stuck',
  'bus_lag',
  'consumer_stalled',
  'alerts_unavailable',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface Thresholds {
  /** Minutes compared: the last N full minutes against the same N minutes of earlier weeks. */
  windowMinutes: number;
  /** Earlier weeks in the seasonal baseline (median), and how many must exist to judge at all. */
  baselineWeeks: number;
  minBaselineWeeks: number;
  /** Spike: hits ≥ spikeRatio × expected; drop: hits ≤ dropRatio × expected. */
  spikeRatio: number;
  dropRatio: number;
  /** Volume under which traffic changes page no one (the larger of current and expected must reach it). */
  minHits: number;
  /** A site is silent with no hits at all in the window when it normally has at least this many. */
  silentMinExpected: number;
  /** Error rate alert: rate ≥ max(factor × usual rate, usual rate + margin), with at least minErrors errors. */
  errors5xx: { factor: number; margin: number; minErrors: number };
  errors4xx: { factor: number; margin: number; minErrors: number };
  /** A path with at least this many 5xx in the last hour and none in the 7 days before. */
  failingPathMinErrors: number;
  /** Pipeline, over the window: dead letters, refused intake requests, failed batches. */
  deadLetters: number;
  refusals: number;
  batchFailures: number;
  /** Minutes one batch has been retried without loading (the hits behind it wait). */
  batchStuckMinutes: number;
  /** Hits waiting on the bus. */
  busLagHits: number;
  /** Minutes without a record processed while hits wait or arrive. */
  stallMinutes: number;
  off: RuleName[];
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  windowMinutes: 30,
  baselineWeeks: 4,
  minBaselineWeeks: 2,
  spikeRatio: 2.5,
  dropRatio: 0.4,
  minHits: 100,
  silentMinExpected: 10,
  errors5xx: { factor: 3, margin: 0.02, minErrors: 10 },
  errors4xx: { factor: 2, margin: 0.15, minErrors: 50 },
  failingPathMinErrors: 5,
  deadLetters: 10,
  refusals: 100,
  batchFailures: 3,
  batchStuckMinutes: 5,
  busLagHits: 100_000,
  stallMinutes: 10,
  off: [],
};

export interface AlertRules {
  /** The thresholds for a site ('' for the pipeline as a whole). */
  forSite(site: string): Thresholds;
}

type Partial2<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : Partial<T[K]>) : T[K] };

function merge(base: Thresholds, over: Partial2<Thresholds>, where: string): Thresholds {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(over)) {
    if (!(key in base)) throw new Error(`${where}: unknown setting "${key}" (known: ${Object.keys(base).join(', ')})`);
    const current = out[key];
    if (key === 'off') {
      if (!Array.isArray(value) || value.some((r) => !RULE_NAMES.includes(r as RuleName)))
        throw new Error(`${where}: "off" must list rules among ${RULE_NAMES.join(', ')}`);
      out.off = value;
    } else if (typeof current === 'object' && current !== null) {
      if (typeof value !== 'object' || value === null) throw new Error(`${where}: "${key}" must be an object`);
      for (const [k, v] of Object.entries(value)) {
        if (!(k in current)) throw new Error(`${where}: unknown setting "${key}.${k}"`);
        if (typeof v !== 'number' || !(v >= 0)) throw new Error(`${where}: "${key}.${k}" must be a number ≥ 0`);
        (current as Record<string, number>)[k] = v;
      }
    } else {
      if (typeof value !== 'number' || !(value >= 0)) throw new Error(`${where}: "${key}" must be a number ≥ 0`);
      out[key] = value;
    }
  }
  const t = out as unknown as Thresholds;
  if (t.windowMinutes < 1 || t.windowMinutes > 24 * 60) throw new Error(`${where}: windowMinutes must be between 1 and 1440`);
  if (t.minBaselineWeeks > t.baselineWeeks) throw new Error(`${where}: minBaselineWeeks cannot exceed baselineWeeks`);
  return t;
}

/** Rules from a parsed ALERT_RULES document. */
export function alertRules(doc: unknown = {}): AlertRules {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('must be a JSON object with "default" and/or "sites"');
  const { default: defaults = {}, sites = {}, ...rest } = doc as Record<string, unknown>;
  if (Object.keys(rest).length) throw new Error(`unknown keys ${Object.keys(rest).join(', ')} (use "default" and "sites")`);
  const base = merge(DEFAULT_THRESHOLDS, defaults as Partial2<Thresholds>, 'default');
  const perSite = new Map(
    Object.entries(sites as Record<string, Partial2<Thresholds>>).map(([site, over]) => [site, merge(base, over, `sites.${site}`)]),
  );
  // The same windows for every site: the evaluator reads them in one query.
  for (const [site, t] of perSite) {
    if (t.windowMinutes !== base.windowMinutes || t.baselineWeeks !== base.baselineWeeks)
      throw new Error(`sites.${site}: windowMinutes and baselineWeeks can be set under "default" only`);
  }
  return { forSite: (site) => perSite.get(site) ?? base };
}

export async function loadAlertRules(path: string): Promise<AlertRules> {
  if (!path) return alertRules();
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`ALERT_RULES: cannot read ${path}: ${errorMessage(err)}`]);
  }
  try {
    return alertRules(doc);
  } catch (err) {
    throw new ConfigError([`ALERT_RULES ${path}: ${errorMessage(err)}`]);
  }
}
