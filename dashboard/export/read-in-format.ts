/**
 * An answer of the read API (/api/stats/NAME) in the
 * format asked: `format=json` (the default) as the API gives it, or
 * `format=csv` — the same named query with the same parameters, its `data`
 * as one table (table-of.ts) in RFC 4180 CSV (csv.ts), downloaded as a file
 * named for the site, the query and the range. A refusal stays the API's JSON
 * refusal. The batch is JSON only: a CSV file is one table.
 */
import { httpError } from '../../common/http-error.ts';
import { toCsv } from './csv.ts';
import { tableOf } from './table-of.ts';

type Answer = { query?: unknown; from?: unknown; to?: unknown; data?: unknown; [k: string]: unknown };

/** The read API's answer to a GET of /api/stats/NAME or /api/stats/batch (read-api.ts); refusals are thrown. */
export interface Reads {
  answer(url: URL): Promise<Answer>;
}

/** A name a file system and a Content-Disposition header take as it is: letters, digits, dot, dash. */
const safe = (s: string) =>
  s
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
const stamp = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 16).replace(/:/g, '') + 'Z' : '');

export function csvFileName(answer: Answer, site: string): string {
  return `${[site || 'all-sites', String(answer.query ?? 'data'), stamp(answer.from), stamp(answer.to)].map(safe).filter(Boolean).join('_')}.csv`;
}

export function csvResponse(answer: Answer, site: string): Response {
  return new Response(toCsv(tableOf(answer.data)), {
    headers: {
      // RFC 4180 §3: text/csv, with a header line (RFC 7111 registers `header`).
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${csvFileName(answer, site)}"`,
      'cache-control': 'no-store',
    },
  });
}

/**
 * Answers `url` (path and query of a GET) from `reads`, in its `format`;
 * `transform` changes the JSON answer first (a shared link keeps its own
 * site's rows of `sites`).
 */
export async function readInFormat(reads: Reads, url: URL, transform?: (answer: Answer) => Answer): Promise<Response> {
  const format = url.searchParams.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw httpError(400, 'invalid_parameter', 'format must be csv or json (the default)');
  if (format === 'csv' && url.pathname.endsWith('/batch'))
    throw httpError(400, 'invalid_parameter', 'format=csv is for one query at a time: GET /api/stats/NAME?format=csv');
  const inner = new URL(url);
  inner.searchParams.delete('format');
  const answer = (transform ?? ((a: Answer) => a))(await reads.answer(inner));
  if (format === 'json') return Response.json(answer, { headers: { 'cache-control': 'no-store' } });
  return csvResponse(answer, (inner.searchParams.get('site') ?? '').toLowerCase());
}
