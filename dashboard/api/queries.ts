/**
 * The named queries of the dashboard API. Each reads the rollups when no
 * filter is set and raw events when one is (rollups do not carry every
 * dimension), and shapes the rows for the UI.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { useRollups, type QueryParams } from './params.ts';
import { chTime } from '../../clickhouse/time.ts';
import { runQuery } from './run-query.ts';

type Rows = Record<string, unknown>[];
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

/** Sessions grouped by one of their columns (an allow-listed identifier). */
const sessionsBy = (dimension: string): NamedQuery => ({
  needsSite: true,
  run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, 'sessions-by.events', p, { dimension }) }),
});

const previous = (p: QueryParams): QueryParams => ({ ...p, from: p.from - (p.to - p.from), to: p.from });

export const QUERIES: Record<string, NamedQuery> = {
  overview: {
    needsSite: true,
    run: async (ch, p) => {
      const { file, source } = pick(p, 'overview');
      const [current] = await runQuery(ch, file, p);
      const [before] = p.compare ? await runQuery(ch, file, previous(p)) : [undefined];
      const [now] = await runQuery(ch, 'current-visitors.events', p, { now: chTime(Math.min(p.to, Date.now())) });
      return { source, data: { current, previous: before ?? null, current_visitors: now?.visitors ?? 0 } };
    },
  },
  timeseries: {
    needsSite: true,
    run: async (ch, p) => {
      const { file, source } = pick(p, 'timeseries');
      const load = async (q: QueryParams) => {
        const rows: Rows = await runQuery(ch, file, q);
        if (source === 'events') return rows;
        // Visitors come from the hourly rollup: join them onto the points they fall in.
        const visitors = new Map((await runQuery<{ t: number; visitors: number; visits: number }>(ch, 'timeseries-visitors.rollup', q)).map((r) => [r.t, r]));
        // A point with only bot traffic has no visitors.
        return rows.map((r) => ({ ...r, visitors: visitors.get(r.t as number)?.visitors ?? 0, visits: visitors.get(r.t as number)?.visits ?? 0 }));
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
  pipeline: { needsSite: false, run: async (ch, p) => ({ source: 'events', data: await runQuery(ch, 'pipeline.events', p) }) },
  sites: { needsSite: false, run: async (ch, p) => ({ source: 'rollup', data: await runQuery(ch, 'sites.events', p) }) },
};
