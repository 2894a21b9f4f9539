/** What the evaluator reads from ClickHouse each round (read-signals.ts), as plain data for the checks. */
export interface Counts {
  hits: number;
  errors4xx: number;
  errors5xx: number;
}

export interface SiteSignal {
  site: string;
  /** The window just ended. */
  current: Counts;
  /** The same window of each earlier week the site existed in (week 1 first). */
  earlierWeeks: Counts[];
  /** The 7 days before the window: the site's usual error rates. */
  lastWeek: Counts;
}

export interface Signals {
  /** End of the window (ms, a whole minute). */
  end: number;
  sites: SiteSignal[];
  failingPaths: Array<{ site: string; path: string; recent5xx: number; recentHits: number }>;
  deadLetters: Array<{ reason: string; count: number }>;
  /** pipeline_health counters summed over the window, and over the stall window. */
  counters: Array<{ metric: string; reason: string; value: number }>;
  stallCounters: Array<{ metric: string; reason: string; value: number }>;
  /** Latest gauges, summed over reporting processes. */
  gauges: Record<string, number>;
}
