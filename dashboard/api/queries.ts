/**
 * The named queries of the dashboard API. Each reads the rollups when no
 * filter is set and raw events when one is (rollups do not carry every
 * dimension), and shapes the rows for the UI.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { useRollups, type QueryParams } from './params.ts';
import { chTime } from '../../clickhouse/time.ts';
import { runQuery } from './run-query.ts';

export interface NamedQuery { needsSite: boolean; /** Answers traffic=bots too. */ bots?: boolean; run(ch: ClickHouse, p: QueryParams): Promise<{ source: 'rollup' | 'events'; data: unknown }> }

/** The rollup file when the rollups can answer (see useRollups) and one exists, else the events file. */
const pick = (p: QueryParams, name: string, rollup = true) => (rollup && useRollups(p) ? { file: `${name}.rollup`, source: 'rollup' as const } : { file: `${name}.events`, source: 'events' as const });

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
const events = (name: string): NamedQuery => ({ needsSite: true, run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, `${name}.events`, p) }) });

/** Sessions grouped by one of their columns (an allow-listed identifier). */
const sessionsBy = (dimension: string): NamedQuery => ({
  needsSite: true,
  run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, 'sessions-by.events', p, { dimension }) }),
});

const previous = (p: QueryParams): QueryParams => ({ ...p, from: p.from - (p.to - p.from), to: p.from });

/** Visitors of the last five minutes: only while the range reaches that close to now (else null: "—"). */
export const CURRENT_WINDOW_MS = 5 * 60_000;

export const QUERIES: Record<string, NamedQuery> = {
  overview: {
    needsSite: true,
    run: async (ch, p) => {
      const { file, source } = pick(p, 'overview');
      const [current] = await runQuery(ch, file, p);
      const [before] = p.compare ? await runQuery(ch, file, previous(p)) : [undefined];
      const now = Date.now();
      const live = p.to >= now - CURRENT_WINDOW_MS;
      const [recent] = live ? await runQuery<{ visitors: number }>(ch, 'current-visitors.events', p, { now: chTime(now) }) : [];
      return { source, data: { current, previous: before ?? null, current_visitors: live ? recent?.visitors ?? 0 : null } };
    },
  },
  timeseries: {
    needsSite: true,
    run: async (ch, p) => {
      const { file, source } = pick(p, 'timeseries');
      // Hit figures per point, from the rollup or events; visits and visitors per point from sessions.
      const load = async (q: QueryParams) => {
        const points = new Map((await runQuery(ch, file, q)).map((r) => [r.t as number, r]));
        const visits = await runQuery<{ t: number; visits: number; visitors: number }>(ch, 'timeseries-visits.events', q);
        for (const v of visits) if (!points.has(v.t)) points.set(v.t, { t: v.t, hits: 0, pageviews: 0, errors_4xx: 0, errors_5xx: 0, bot_hits: 0 });
        const byT = new Map(visits.map((v) => [v.t, v]));
        return [...points.values()].sort((a, b) => (a.t as number) - (b.t as number))
          .map((r) => ({ ...r, visitors: byT.get(r.t as number)?.visitors ?? 0, visits: byT.get(r.t as number)?.visits ?? 0 }));
      };
      return { source, data: { bucket: p.bucket, current: await load(p), previous: p.compare ? await load(previous(p)) : null } };
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
  pipeline: { needsSite: false, run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, 'pipeline.events', p) }) },
  sites: { needsSite: false, run: async (ch, p) => ({ source: 'rollup', data: await runQuery(ch, 'sites.events', p) }) },
};
