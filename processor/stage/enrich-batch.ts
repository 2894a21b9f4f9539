/**
 * Enrichment of a staged batch in the engine (issue 27): the steps of
 * processor/pipeline.ts after parse, as clickhouse/queries/stage/_enrich.sql,
 * kept in the engine in a table of the batch's own (enrichInto; the tests read
 * the same SELECT back, enrich.sql). JavaScript works only per distinct value the batch brings,
 * asked for in one query (enrich-needs.sql): new user agents and referrer
 * hosts go to their tables and dictionaries (user-agents.ts, referrers.ts);
 * odd referrers, the UTM values of queries that have them, the countries of
 * addresses read straight from files, the days' salts and the sites' own hosts
 * travel as the enrich query's parameters, so no address is written anywhere.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { selectRows } from '../../clickhouse/query.ts';
import type { Stage } from '../../clickhouse/stage-session.ts';
import type { CountryOf } from '../../common/country.ts';
import { ScalehouseError } from '../../common/errors.ts';
import type { SaltFor } from '../../common/pseudonym.ts';
import { addUserAgents } from './user-agents.ts';
import { addReferrerHosts, oddReferrerParams } from './referrers.ts';
import { utmParams } from './utm-values.ts';

export interface EnrichContext {
  saltFor: SaltFor;
  /** The host names a site is known under (processor/state/site-hosts.ts): a referrer from one is internal. As in pipeline.ts. */
  hostsOf?: (site: string) => ReadonlySet<string>;
  /** Country lookup for addresses that reach the processor unpseudonymised (tail, replay). */
  countryOf?: CountryOf;
}

/** The one row of enrich-needs.sql: the batch's distinct values of each kind. */
interface Needs {
  user_agent: string[];
  referrer_host: string[];
  referrer: string[];
  utm_query: string[];
  address: string[];
  day: string[];
  site: string[];
}

/** The batch's parsed events (a table of `stage`: parsed-create.sql) enriched into its table `target` (enriched-create.sql). */
export async function enrichInto(ch: ClickHouse, stage: Stage, parsed: string, target: string, ctx: EnrichContext): Promise<void> {
  const params = await prepareEnrich(ch, stage, parsed, ctx);
  await stage.create('queries/stage/enriched-create.sql', target);
  await stage.run('queries/stage/enrich-into.sql', { ...params, target });
}

/**
 * The per-distinct-value work of a staged batch: the tables and their dictionaries filled, and
 * the parameters _enrich.sql takes.
 */
export async function prepareEnrich(ch: ClickHouse, stage: Stage, parsed: string, ctx: EnrichContext): Promise<Record<string, unknown>> {
  const [needs] = await stage.rows<Needs>('queries/stage/enrich-needs.sql', { stage: parsed });
  if (!needs) throw new ScalehouseError('enrich-needs.sql gave no row');
  const referrers = oddReferrerParams(needs.referrer);
  // An odd referrer's host is known only once JavaScript has read it: asked apart, and only then.
  const oddHosts = [...new Set(referrers.ref_hosts)];
  const unknownOddHosts = oddHosts.length
    ? (await selectRows<{ host: string }>(ch, 'queries/stage/enrich-unknown-referrer-hosts.sql', { hosts: oddHosts })).map((r) => r.host)
    : [];
  if (needs.user_agent.length) await addUserAgents(ch, needs.user_agent);
  const hosts = [...new Set([...needs.referrer_host, ...unknownOddHosts])];
  if (hosts.length) await addReferrerHosts(ch, hosts);
  const countryOf = ctx.countryOf;
  const addresses = countryOf ? needs.address : [];
  return {
    stage: parsed,
    ...referrers,
    ...utmParams(needs.utm_query),
    addresses,
    countries: addresses.map((a) => countryOf!(a)),
    salt_days: needs.day,
    salt_keys: needs.day.map((day) => ctx.saltFor(day).toString('hex')),
    own_sites: needs.site,
    own_hosts: needs.site.map((site) => [...(ctx.hostsOf?.(site) ?? [])]),
  };
}
