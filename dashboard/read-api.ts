/**
 * The dashboard's read API (the named queries, api/answer.ts and
 * api/batch.ts) called directly, for what answers from it by path: CSV export
 * (export/read-in-format.ts) and shared links (share/forward.ts), which ask it
 * with parameters of their choosing. Refusals are thrown as the API's own, so
 * they reach the server's one error handler as any route's would.
 */
import type { ClickHouse } from '../clickhouse/connect.ts';
import { httpError } from '../common/http-error.ts';
import { answerQuery } from './api/answer.ts';
import { answerBatch } from './api/batch.ts';
import type { Reads } from './export/read-in-format.ts';
import type { SiteKnown } from './api/known-sites.ts';

const PREFIX = '/api/stats/';

export function readApi(ch: ClickHouse, siteKnown?: SiteKnown): Reads {
  const deps = { ch, siteKnown };
  return {
    answer: (url) => {
      if (url.pathname === `${PREFIX}batch`) return answerBatch(deps, url.searchParams);
      if (!url.pathname.startsWith(PREFIX)) throw httpError(404, 'not_found', 'no such endpoint; see the README for the API');
      return answerQuery(deps, url.pathname.slice(PREFIX.length), Object.fromEntries(url.searchParams));
    },
  };
}
