/**
 * Enrichment of a staged batch in the engine (issue 27): the steps of
 * processor/pipeline.ts after parse, as clickhouse/queries/stage/enrich.sql.
 * JavaScript works only per distinct value the batch brings, asked for in one
 * query (enrich-needs.sql): new user agents and referrer hosts go to their
 * tables (user-agents.ts, referrers.ts); odd referrers and UTM values, the
 * countries of addresses read straight from files and the salts of days not
 * kept travel as the enrich query's parameters, so no address is written
 * anywhere.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { selectRows } from '../../clickhouse/query.ts';
import type { CountryOf } from '../../common/country.ts';
import type { SaltFor } from '../../common/pseudonym.ts';
import { addUserAgents } from './user-agents.ts';
import { addReferrerHosts, oddReferrerParams } from './referrers.ts';
import { utmParams } from './utm-values.ts';
import type { EnrichedRow } from './enriched-outcome.ts';

export interface EnrichContext {
  saltFor: SaltFor;
  /** The first day whose salt visitor_salts keeps for saltFor (processor/state/salt-store.ts: two days ago). */
  keptSaltsSince: string;
  /** Country lookup for addresses that reach the processor unpseudonymised (tail, replay). */
  countryOf?: CountryOf;
}

type NeedKind = 'user_agent' | 'referrer' | 'utm' | 'address' | 'day';

/** The staged batch in `stage` enriched, one row per staged event in offset order. */
export async function enrichStaged(ch: ClickHouse, stage: string, ctx: EnrichContext): Promise<EnrichedRow[]> {
  return selectRows<EnrichedRow>(ch, 'queries/stage/enrich.sql', await prepareEnrich(ch, stage, ctx));
}

/**
 * The per-distinct-value work of a staged batch: the tables filled, and the parameters
 * enrich.sql takes (for an INSERT … SELECT of it as much as for reading its rows).
 */
export async function prepareEnrich(ch: ClickHouse, stage: string, ctx: EnrichContext): Promise<Record<string, unknown>> {
  const base = { stage, oldest: ctx.keptSaltsSince };
  const needs: Record<NeedKind, string[]> = { user_agent: [], referrer: [], utm: [], address: [], day: [] };
  for (const { kind, value } of await selectRows<{ kind: NeedKind; value: string }>(ch, 'queries/stage/enrich-needs.sql', base))
    needs[kind].push(value);
  if (needs.user_agent.length) await addUserAgents(ch, needs.user_agent);
  const countryOf = ctx.countryOf;
  const addresses = countryOf ? needs.address : [];
  const params = {
    ...base,
    ...oddReferrerParams(needs.referrer),
    ...utmParams(needs.utm),
    addresses,
    countries: addresses.map((a) => countryOf!(a)),
    salt_days: needs.day,
    salt_keys: needs.day.map((day) => ctx.saltFor(day).toString('hex')),
  };
  const hosts = await selectRows<{ host: string }>(ch, 'queries/stage/enrich-new-referrer-hosts.sql', params);
  if (hosts.length)
    await addReferrerHosts(
      ch,
      hosts.map((h) => h.host),
    );
  return params;
}
