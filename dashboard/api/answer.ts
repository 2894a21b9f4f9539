/**
 * One named query answered from raw query-string values: what GET
 * /api/stats/NAME returns, and what the batch returns for each of its
 * queries. Refusals are httpError()s (400 bad parameter, 404 unknown query,
 * 422 past the read limits), thrown.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { httpError } from '../../common/http-error.ts';
import { ParamError, parseParams, type QueryParams } from '../query/params.ts';
import type { NamedQuery } from '../query/named-query.ts';
import { QUERIES } from './queries.ts';
import { own } from '../../common/own.ts';
import { isLimitError } from '../../clickhouse/errors.ts';
import { errorMessage } from '../../common/errors.ts';
import { knownSites, type SiteKnown } from './known-sites.ts';

export interface StatsDeps {
  ch: ClickHouse;
  /** More fields for a query's answer (the bus's lag beside `pipeline`). */
  extra?: (name: string) => Record<string, unknown>;
  /** How many queries of a batch run at once (batch.ts). */
  batchConcurrency?: number;
  /** Whether a site is one (known-sites.ts); by default, a site with data. */
  siteKnown?: SiteKnown;
}

/**
 * A site no hit was ever loaded for and SITES does not name is no site: 404 unknown_site, as the
 * collector answers for it, rather than 200 with empty figures that read as a quiet day.
 */
export async function requireKnownSite(deps: StatsDeps, site: string): Promise<void> {
  deps.siteKnown ??= knownSites(deps.ch);
  if (!(await deps.siteKnown(site)))
    throw httpError(
      404,
      'unknown_site',
      `no data for site "${site}", and SITES does not name it: GET /api/stats/sites lists the sites with data`,
    );
}

/** A query and its validated parameters, ready to run. */
export interface Prepared {
  name: string;
  query: NamedQuery;
  params: QueryParams;
  allTime: boolean;
}
export type Result = Awaited<ReturnType<NamedQuery['run']>>;

/** Validated parameters, or the 400 that says what is wrong with them. */
export function paramsOrRefusal(q: Record<string, string>, needsSite: boolean): QueryParams {
  try {
    return parseParams(q, Date.now(), needsSite);
  } catch (err) {
    if (err instanceof ParamError) throw httpError(400, err.code, err.message);
    throw err;
  }
}

export function prepareQuery(name: string, q: Record<string, string>): Prepared {
  const query = own(QUERIES, name);
  if (!query) throw httpError(404, 'unknown_query', `no query named "${name.slice(0, 60)}"; GET /api/stats lists them`);
  let params = paramsOrRefusal(q, query.needsSite);
  // All time: every minute a DateTime column can hold (1970 to 2106), and no range to echo.
  const allTime = query.allTime === true && q.from === undefined && q.to === undefined;
  if (allTime) params = { ...params, from: 0, to: Date.UTC(2106, 0, 1) };
  if (params.traffic === 'bots' && !query.bots)
    throw httpError(
      400,
      'invalid_parameter',
      `traffic=bots is answered by ${Object.entries(QUERIES)
        .filter(([, q]) => q.bots)
        .map(([n]) => n)
        .join(', ')} only`,
    );
  return { name, query, params, allTime };
}

/** A read past the dashboard's limits is the client's to narrow: a 422 that says how. */
export async function withinLimits<T>(read: Promise<T>): Promise<T> {
  return read.catch((err: unknown) => {
    if (isLimitError(err))
      throw httpError(
        422,
        'query_too_expensive',
        `this query went past its limits (DASHBOARD_QUERY_MAX_SECONDS, DASHBOARD_QUERY_MAX_MEMORY_MB): choose a shorter range or fewer filters. ${errorMessage(err).slice(0, 200)}`,
      );
    throw err;
  });
}

/** The answer's body: the query, where it read from, the range it covered (null for all time), and the rows. */
export function answerBody(deps: StatsDeps, p: Prepared, { source, data }: Result): Record<string, unknown> {
  const iso = (ms: number) => (p.allTime ? null : new Date(ms).toISOString());
  return { query: p.name, source, from: iso(p.params.from), to: iso(p.params.to), bucket: p.params.bucket, data, ...deps.extra?.(p.name) };
}

export async function answerQuery(deps: StatsDeps, name: string, q: Record<string, string>): Promise<Record<string, unknown>> {
  const p = prepareQuery(name, q);
  if (p.query.needsSite) await requireKnownSite(deps, p.params.site);
  return answerBody(deps, p, await withinLimits(p.query.run(deps.ch, p.params)));
}
