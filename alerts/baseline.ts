/**
 * The seasonal baseline: what a window usually holds is the median of the
 * same window in earlier weeks (same weekday, same time), so the Monday
 * morning rush and the Sunday night lull are both normal. The median ignores
 * one odd week (a campaign, an outage); the spread (MAD, scaled to a normal
 * distribution's σ, and never below the Poisson noise √expected) says how far
 * from it a window may wander by chance.
 */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Baseline {
  expected: number;
  spread: number;
  weeks: number;
}

export function seasonalBaseline(weeks: number[]): Baseline {
  const expected = median(weeks);
  const mad = median(weeks.map((w) => Math.abs(w - expected)));
  return { expected, spread: Math.max(1.4826 * mad, Math.sqrt(expected)), weeks: weeks.length };
}
