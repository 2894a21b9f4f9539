/**
 * Goal conversions and funnels over visits (docs/dashboards.md, "Goals and
 * funnels"): the visits the overview counts under the same site, range and
 * filters, read with the reader's limits from queries/dashboard/
 * (goal-conversions.events.sql, funnel.events.sql), the definitions bound as
 * parameters. The shaping below is pure.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import type { QueryParams } from '../query/params.ts';
import { runQuery } from '../query/run-query.ts';
import type { Step } from './definition.ts';
import { patternRegex } from './pattern.ts';
import type { Funnel, Goal } from './store.ts';

export type GoalsBy = 'goal' | 'channel' | 'referrer';

interface SourceRow {
  channel: string;
  referrer_host: string;
  visits: number;
  conversions: number[];
}
interface LevelRow {
  level: number;
  visits: number;
}

const rate = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);

/** The steps as the queries bind them: an event's name or '' , a path regex or ''. */
export const matchParams = (steps: Step[]) => ({
  match_events: steps.map((s) => (s.kind === 'event' ? s.match : '')),
  match_paths: steps.map((s) => (s.kind === 'page' ? patternRegex(s.match) : '')),
});

export const readGoalSources = (ch: ClickHouse, p: QueryParams, goals: Goal[]): Promise<SourceRow[]> =>
  goals.length ? runQuery<SourceRow>(ch, 'goal-conversions.events', p, matchParams(goals)) : Promise.resolve([]);

export const readFunnelLevels = (ch: ClickHouse, p: QueryParams, funnel: Funnel): Promise<LevelRow[]> =>
  runQuery<LevelRow>(ch, 'funnel.events', p, matchParams(funnel.steps));

/**
 * Conversions per goal (visits that reached it / visits), or per goal and
 * source: the channel or referrer host of the visit (its entry pageview's).
 */
export function goalTable(goals: Goal[], rows: SourceRow[], by: GoalsBy): Record<string, unknown>[] {
  const head = (g: Goal) => ({ goal_id: g.id, goal: g.name, kind: g.kind, match: g.match });
  if (by === 'goal') {
    const visits = rows.reduce((n, r) => n + r.visits, 0);
    return goals.map((g, i) => {
      const conversions = rows.reduce((n, r) => n + (r.conversions[i] ?? 0), 0);
      return { ...head(g), visits, conversions, conversion_rate: rate(conversions, visits) };
    });
  }
  const sources = new Map<string, { visits: number; conversions: number[] }>();
  for (const r of rows) {
    const key = by === 'channel' ? r.channel : r.referrer_host;
    const s = sources.get(key) ?? { visits: 0, conversions: goals.map(() => 0) };
    s.visits += r.visits;
    goals.forEach((_, i) => (s.conversions[i]! += r.conversions[i] ?? 0));
    sources.set(key, s);
  }
  const ordered = [...sources.entries()].sort(([a, x], [b, y]) => y.visits - x.visits || (a < b ? -1 : a > b ? 1 : 0));
  return goals.flatMap((g, i) =>
    ordered.map(([source, s]) => ({
      ...head(g),
      source,
      visits: s.visits,
      conversions: s.conversions[i]!,
      conversion_rate: rate(s.conversions[i]!, s.visits),
    })),
  );
}

/**
 * A funnel's steps: the visits that reached each (steps 1..k in order), their
 * share of all visits and of the first step's, and the drop-off from the step
 * before (for step 1, from all visits).
 */
export function funnelTable(funnel: Funnel, levels: LevelRow[]): Record<string, unknown>[] {
  const total = levels.reduce((n, r) => n + r.visits, 0);
  const reached = (k: number) => levels.filter((r) => r.level >= k).reduce((n, r) => n + r.visits, 0);
  return funnel.steps.map((s, i) => {
    const visits = reached(i + 1);
    const before = i === 0 ? total : reached(i);
    return {
      funnel_id: funnel.id,
      funnel: funnel.name,
      step: i + 1,
      kind: s.kind,
      match: s.match,
      visits,
      rate_of_visits: rate(visits, total),
      rate_of_first_step: rate(visits, reached(1)),
      drop_off: before - visits,
      drop_off_rate: rate(before - visits, before),
    };
  });
}
