/**
 * Goals and funnels as named queries of /api/stats (api/queries.ts lists
 * them): `goals` — per goal, the visits, those that reached it and the
 * conversion rate; `goals-by-channel` and `goals-by-referrer` — the same per
 * goal and source; `funnels` — per funnel and step, the visits that went
 * through steps 1..k in order and the drop-off. Over the visits the overview
 * counts, under the same site, range and filters; so they are in the batch,
 * in CSV and on shared links as every named query is. The site's definitions
 * are read first (dashboard_definitions, which the reader may read), then
 * bound as parameters of the SQL.
 */
import type { NamedQuery } from '../query/named-query.ts';
import { funnelTable, goalTable, readFunnelLevels, readGoalSources, type GoalsBy } from './conversions.ts';
import { listFunnels, listGoals } from './store.ts';

const goalsBy = (by: GoalsBy): NamedQuery => ({
  needsSite: true,
  run: async (ch, p) => {
    const goals = await listGoals(ch, p.site);
    return { source: 'events', data: goalTable(goals, await readGoalSources(ch, p, goals), by) };
  },
});

export const CONVERSION_QUERIES: Record<string, NamedQuery> = {
  goals: goalsBy('goal'),
  'goals-by-channel': goalsBy('channel'),
  'goals-by-referrer': goalsBy('referrer'),
  funnels: {
    needsSite: true,
    run: async (ch, p) => {
      const data: Record<string, unknown>[] = [];
      // One read per funnel: the embedded engine runs one query at a time, so together they gain nothing.
      for (const f of await listFunnels(ch, p.site)) data.push(...funnelTable(f, await readFunnelLevels(ch, p, f)));
      return { source: 'events', data };
    },
  },
};
