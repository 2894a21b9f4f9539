/**
 * A finding: one condition holding now, for one site and subject (a path, a
 * dead-letter reason…). The evaluator turns findings into alerts: a key seen
 * for the first time fires, a key no longer found recovers.
 */
import type { RuleName } from './rules.ts';

export interface Finding {
  rule: RuleName;
  /** '' for the pipeline as a whole. */
  site: string;
  subject: string;
  /** What was measured, and what was expected (0 when there is no expectation but a threshold). */
  value: number;
  expected: number;
  /** One line a person reads first: what, where, how much vs expected. */
  summary: string;
}

export const alertKey = (f: Pick<Finding, 'rule' | 'site' | 'subject'>): string => `${f.rule}|${f.site}|${f.subject}`;

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
export const num = (n: number): string => fmt.format(n);
export const pct = (r: number): string => `${fmt.format(r * 100)}%`;
