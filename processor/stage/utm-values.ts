/**
 * UTM values, in JavaScript once per distinct query that mentions "utm_"
 * (clickhouse/queries/stage/enrich-needs.sql names them): read and cleaned by
 * normalise.ts's own readUtm — URLSearchParams, the WHATWG UTF-8 decoder,
 * JavaScript's lowercasing and its UTF-16 length for the cut — and passed to
 * the batch's enrich query as parameters. Few queries carry UTM tags, and
 * reading them in SQL cost the query analyzer more than this costs per batch
 * (~7 ms of a 5,000-event batch: five lambdas and their regular expressions).
 */
import { readUtm } from '../steps/normalise.ts';

export interface UtmParams {
  utm_queries: string[];
  /** Per query: source, medium, campaign, content and term, in that order (_enrich.sql reads them so). */
  utm_values: string[][];
}

export function utmParams(queries: readonly string[]): UtmParams {
  return {
    utm_queries: [...queries],
    utm_values: queries.map((query) => {
      const utm = readUtm(query);
      return [utm.source, utm.medium, utm.campaign, utm.content, utm.term];
    }),
  };
}
