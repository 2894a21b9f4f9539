/**
 * The named queries of the dashboard API. Each reads the rollups when no
 * filter is set and raw events when one is (rollups do not carry every
 * dimension), and shapes the rows for the UI.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { useRollups, YEAR_BEFORE_MS, type QueryParams } from '../query/params.ts';
import { chTime } from '../../clickhouse/time.ts';
import { runQuery } from '../query/run-query.ts';
import type { NamedQuery } from '../query/named-query.ts';
import { isoTime, isoTimeOrNull } from '../../common/iso-time.ts';
import { CONVERSION_QUERIES } from '../goals/named-queries.ts';

/** The rollup file when the rollups can answer (see useRollups) and one exists, else the events file. */
const pick = (p: QueryParams, name: string, rollup = true) =>
  rollup && useRollups(p) ? { file: `${name}.rollup`, source: 'rollup' as const } : { file: `${name}.events`, source: 'events' as const };

const simple = (name: string, rollup = true, bots = false): NamedQuery => ({
  needsSite: true,
  bots,
  run: async (ch, p) => {
    if (p.traffic === 'bots') return { source: 'events', data: await runQuery(ch, `${name}.bots`, p) };
    const { file, source } = pick(p, name, rollup);
    return { source, data: await runQuery(ch, file, p) };
  },
});

/** A query with no rollup: always raw events and sessions. */
const events = (name: string): NamedQuery => ({
  needsSite: true,
  run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, `${name}.events`, p) }),
});

/** Sessions grouped by one of their columns (an allow-listed identifier). */
const sessionsBy = (dimension: string): NamedQuery => ({
  needsSite: true,
  breakdown: dimension,
  run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, 'sessions-by.events', p, { dimension }) }),
});

/**
 * Several breakdowns of the visits, with the same parameters, from one read:
 * each dimension's rows as sessions-by.events.sql gives them. The visits are
 * selected once instead of once per dimension: the dashboard asks for ten at
 * every refresh, and they took 2–6× less time together than one by one (5M
 * events, a week, an hour, a filter), 150–260 ms of a refresh at 10M
 * (docs/benchmarks.md, "Dashboard refresh").
 */
export async function readBreakdowns(
  ch: ClickHouse,
  p: QueryParams,
  dimensions: string[],
): Promise<Map<string, Record<string, unknown>[]>> {
  const rows = await runQuery<Record<string, unknown> & { dimension: string }>(ch, 'sessions-by-many.events', p, { dimensions });
  const by = new Map(dimensions.map((d) => [d, [] as Record<string, unknown>[]]));
  for (const { dimension, ...row } of rows) by.get(dimension)?.push(row);
  return by;
}

/** The period compared with: the one just before the range, or the same weekdays 52 weeks earlier. */
const compared = (p: QueryParams): QueryParams => {
  const shift = p.compare === 'year' ? YEAR_BEFORE_MS : p.to - p.from;
  return { ...p, from: p.from - shift, to: p.to - shift };
};

type PeriodRow = Record<string, unknown> & { period: 'current' | 'previous' };
const withoutPeriod = ({ period: _, ...row }: PeriodRow) => row;

/**
 * A per-period query (its rows carry `period`, split at {split}) for the range
 * and, with compare, the period it is compared with. Where the rollups answer
 * and that period is the one just before, both come from one read: the
 * embedded engine runs one query at a time, so two reads cost twice. With
 * filters, or a year before (one read would span the year between), one read
 * per period with {split} at the epoch (every row is the range's), since a
 * visit selected by a hit may have started before its range.
 */
async function byPeriod(p: QueryParams, together: boolean, read: (q: QueryParams, split: string) => Promise<PeriodRow[]>) {
  if (together && p.compare !== 'year') {
    const rows = await read(p.compare ? { ...p, from: compared(p).from } : p, chTime(p.from));
    const of = (period: PeriodRow['period']) => rows.filter((r) => r.period === period).map(withoutPeriod);
    return { current: of('current'), previous: p.compare ? of('previous') : null };
  }
  const current = (await read(p, chTime(0))).map(withoutPeriod);
  return { current, previous: p.compare ? (await read(compared(p), chTime(0))).map(withoutPeriod) : null };
}

/** Visitors of the last five minutes: only while the range reaches that close to now (else null: "—"). */
export const CURRENT_WINDOW_MS = 5 * 60_000;

export const QUERIES: Record<string, NamedQuery> = {
  overview: {
    needsSite: true,
    run: async (ch, p) => {
      const { file, source } = pick(p, 'overview');
      const periods = await byPeriod(p, source === 'rollup', (q, split) => runQuery<PeriodRow>(ch, file, q, { split }));
      const now = Date.now();
      const live = p.to >= now - CURRENT_WINDOW_MS;
      const [recent] = live ? await runQuery<{ visitors: number }>(ch, 'current-visitors.events', p, { now: chTime(now) }) : [];
      return {
        source,
        data: {
          current: periods.current[0],
          previous: periods.previous?.[0] ?? null,
          current_visitors: live ? (recent?.visitors ?? 0) : null,
        },
      };
    },
  },
  timeseries: {
    needsSite: true,
    run: async (ch, p) => {
      const { file, source } = pick(p, 'timeseries');
      // Hit figures per point, from the rollup or events; visits and visitors per point from sessions.
      const read = async (q: QueryParams, split: string): Promise<PeriodRow[]> => {
        const key = (r: PeriodRow) => `${r.period} ${r.t}`;
        const points = new Map((await runQuery<PeriodRow>(ch, file, q, { split })).map((r) => [key(r), r]));
        const visits = await runQuery<PeriodRow & { t: number; visits: number; visitors: number }>(ch, 'timeseries-visits.events', q, {
          split,
        });
        for (const v of visits)
          if (!points.has(key(v)))
            points.set(key(v), { period: v.period, t: v.t, hits: 0, pageviews: 0, errors_4xx: 0, errors_5xx: 0, bot_hits: 0 });
        const byKey = new Map(visits.map((v) => [key(v), v]));
        return [...points.values()]
          .sort((a, b) => (a.t as number) - (b.t as number))
          .map((r) => ({ ...r, visitors: byKey.get(key(r))?.visitors ?? 0, visits: byKey.get(key(r))?.visits ?? 0 }));
      };
      const periods = await byPeriod(p, source === 'rollup', read);
      return { source, data: { bucket: p.bucket, current: periods.current, previous: periods.previous } };
    },
  },
  heatmap: simple('heatmap'),
  pages: simple('pages', true, true),
  status: simple('status', true, true),
  'failing-paths': simple('failing-paths', true, true),
  'response-times': simple('response-times', false),
  bots: simple('bots', false),
  'bot-reasons': events('bot-reasons'),
  'entry-pages': sessionsBy('entry_path'),
  'exit-pages': sessionsBy('exit_path'),
  channels: sessionsBy('channel'),
  referrers: sessionsBy('referrer_host'),
  'utm-sources': sessionsBy('utm_source'),
  'utm-mediums': sessionsBy('utm_medium'),
  'utm-campaigns': sessionsBy('utm_campaign'),
  browsers: sessionsBy('browser'),
  os: sessionsBy('os'),
  devices: sessionsBy('device_type'),
  countries: sessionsBy('country'),
  'non-page-referrers': events('non-page-referrers'),
  'custom-events': events('custom-events'),
  'custom-events-timeseries': events('custom-events-timeseries'),
  'custom-event-props': events('custom-event-props'),
  pipeline: {
    needsSite: false,
    beyondSite: true,
    run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, 'pipeline.events', p) }),
  },
  // Alerts of the site (and the pipeline's own): those firing, then those of the range.
  alerts: {
    needsSite: true,
    beyondSite: true,
    run: async (ch, p) => ({
      source: 'events',
      data: (await runQuery<{ fired_at: number; resolved_at: number }>(ch, 'alerts.events', p)).map((a) => ({
        ...a,
        fired_at: isoTimeOrNull(a.fired_at),
        resolved_at: isoTimeOrNull(a.resolved_at),
      })),
    }),
  },
  // Every site ever seen, for the site picker; with a range, those with hits in it.
  sites: {
    needsSite: false,
    allTime: true,
    run: async (ch, p) => ({
      source: 'rollup',
      data: (await runQuery<{ last_seen: number }>(ch, 'sites.events', p)).map((s) => ({ ...s, last_seen: isoTime(s.last_seen) })),
    }),
  },
  // Goals and funnels of the site (dashboard/goals/): goals, goals-by-channel, goals-by-referrer, funnels.
  ...CONVERSION_QUERIES,
};
