/**
 * Reads one round's signals from ClickHouse (clickhouse/queries/alerts/):
 * the evaluator reads nothing else, so it runs the same inside `start` and
 * as its own role beside a cluster.
 */
import type { ClickHouse } from '../clickhouse/connect.ts';
import { selectRows } from '../clickhouse/query.ts';
import { chMinute } from '../clickhouse/time.ts';
import type { Thresholds } from './rules.ts';
import type { Counts, Signals, SiteSignal } from './signals.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WEEK = 7 * DAY;
/** A process that has not reported for this long no longer counts towards gauges. */
const STALE_SECONDS = 300;

interface WindowRow {
  site: string;
  week: number;
  hits: number;
  errors_4xx: number;
  errors_5xx: number;
}
interface HistoryRow {
  site: string;
  first_seen: number;
  hits: number;
  errors_4xx: number;
  errors_5xx: number;
}
type CounterRow = { metric: string; reason: string; value: number };

const counts = (r?: { hits: number; errors_4xx: number; errors_5xx: number }): Counts => ({
  hits: r?.hits ?? 0,
  errors4xx: r?.errors_4xx ?? 0,
  errors5xx: r?.errors_5xx ?? 0,
});

/** `t`: the default thresholds (windows are the same for every site). */
export async function readSignals(ch: ClickHouse, end: number, t: Thresholds): Promise<Signals> {
  const window = t.windowMinutes * MINUTE;
  const from = end - window;
  const [windows, history, failingPaths, deadLetters, counters, stallCounters, gauges] = await Promise.all([
    selectRows<WindowRow>(ch, 'queries/alerts/traffic-windows.sql', {
      end: chMinute(end),
      weeks: t.baselineWeeks,
      window_seconds: window / 1000,
    }),
    // From a day before the oldest window: a site quiet in its first minutes still existed then.
    selectRows<HistoryRow>(ch, 'queries/alerts/site-history.sql', {
      from: chMinute(end - t.baselineWeeks * WEEK - window - DAY),
      week_from: chMinute(from - WEEK),
      to: chMinute(from),
    }),
    selectRows<{ site: string; path: string; recent_5xx: number; recent_hits: number }>(ch, 'queries/alerts/failing-paths.sql', {
      recent: chMinute(Math.floor((end - 60 * MINUTE) / (60 * MINUTE)) * 60 * MINUTE),
      end: chMinute(end),
      days: 7,
      min_errors: 1,
    }),
    selectRows<{ reason: string; dead_letters: number }>(ch, 'queries/alerts/dead-letters.sql', {
      from: chMinute(from),
      end: chMinute(end),
    }),
    selectRows<CounterRow>(ch, 'queries/alerts/pipeline-counters.sql', { from: chMinute(from), end: chMinute(end) }),
    selectRows<CounterRow>(ch, 'queries/alerts/pipeline-counters.sql', {
      from: chMinute(end - t.stallMinutes * MINUTE),
      end: chMinute(end),
    }),
    selectRows<{ metric: string; value: number }>(ch, 'queries/alerts/pipeline-gauges.sql', {
      end: chMinute(end),
      stale_seconds: STALE_SECONDS,
    }),
  ]);

  const bySite = new Map<string, WindowRow[]>();
  for (const w of windows) bySite.set(w.site, [...(bySite.get(w.site) ?? []), w]);
  const firstSeen = new Map(history.map((h) => [h.site, Number(h.first_seen) * 1000]));
  const sites: SiteSignal[] = [...new Set([...bySite.keys(), ...firstSeen.keys()])].sort().map((site) => {
    const rows = bySite.get(site) ?? [];
    const week = (n: number) => rows.find((r) => Number(r.week) === n);
    const seen = firstSeen.get(site) ?? Math.min(...rows.map((r) => end - Number(r.week) * WEEK - window));
    const earlierWeeks: Counts[] = [];
    // A week counts if the site existed when its window began; a week of silence since then counts as 0.
    for (let n = 1; n <= t.baselineWeeks; n++) if (seen <= end - n * WEEK - window) earlierWeeks.push(counts(week(n)));
    return { site, current: counts(week(0)), earlierWeeks, lastWeek: counts(history.find((h) => h.site === site)) };
  });
  return {
    end,
    sites,
    failingPaths: failingPaths.map((p) => ({ site: p.site, path: p.path, recent5xx: p.recent_5xx, recentHits: p.recent_hits })),
    deadLetters: deadLetters.map((d) => ({ reason: d.reason, count: d.dead_letters })),
    counters,
    stallCounters,
    gauges: Object.fromEntries(gauges.map((g) => [g.metric, g.value])),
  };
}
