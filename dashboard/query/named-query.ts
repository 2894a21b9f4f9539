/**
 * What a named query of the dashboard API is: the query API lists them
 * (api/queries.ts) and goals and funnels add theirs (goals/named-queries.ts),
 * both from here, below either of them.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import type { QueryParams } from './params.ts';

export interface NamedQuery {
  needsSite: boolean;
  /** Answers traffic=bots too. */
  bots?: boolean;
  /** Covers all time unless `from` or `to` is given (the API then answers from and to as null). */
  allTime?: boolean;
  /** Visits by this column of the session: several such queries with the same parameters can be read at once (readBreakdowns). */
  breakdown?: string;
  /** Answers about more than the one site asked (every site's pipeline; alerts include the pipeline's): never part of a shared link. */
  beyondSite?: boolean;
  run(ch: ClickHouse, p: QueryParams): Promise<{ source: 'rollup' | 'events'; data: unknown }>;
}
