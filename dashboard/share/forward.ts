/**
 * What a shared link's page asks of the read API, asked with the link's site
 * and nothing else: every `site` the request names (and `NAME.site` of a
 * batch) is replaced by the link's, so a token opens its own site's figures
 * only. Queries about more than the site (marked `beyondSite` where they are
 * defined, api/queries.ts) are not shared (403; in a batch, an entry of its
 * own), and the site list holds the link's site alone.
 */
import { httpError } from '../../common/http-error.ts';
import { own } from '../../common/own.ts';
import { QUERIES } from '../api/queries.ts';
import { readInFormat, type Reads } from '../export/read-in-format.ts';

const notSharable = (name: string): boolean => own(QUERIES, name)?.beyondSite === true;

const notShared = (name: string) => ({
  error: 'not_shared',
  message: `${name} is about more than this site: not part of a shared link`,
  status: 403,
});

type Answer = Record<string, unknown>;

/** Answers `path` (/api/stats/NAME) with the query of `url`, for the link's `site`. */
export async function forwardShared(reads: Reads, site: string, path: string, url: URL): Promise<Response> {
  const inner = new URL(path, 'http://shared.invalid');
  for (const [k, v] of url.searchParams) if (k !== 'site' && !k.endsWith('.site')) inner.searchParams.append(k, v);
  inner.searchParams.set('site', site);

  if (path === '/api/stats/batch') {
    const asked = (inner.searchParams.get('queries') ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const denied = asked.filter(notSharable);
    const kept = asked.filter((n) => !notSharable(n));
    for (const k of [...inner.searchParams.keys()]) if (denied.includes(k.split('.')[0]!) && k.includes('.')) inner.searchParams.delete(k);
    if (denied.length && !kept.length)
      return Response.json(
        { results: Object.fromEntries(denied.map((n) => [n, notShared(n)])) },
        { headers: { 'cache-control': 'no-store' } },
      );
    inner.searchParams.set('queries', kept.join(','));
    return readInFormat(reads, inner, (answer) => {
      const results = { ...(answer.results as Answer) };
      for (const n of denied) results[n] = notShared(n);
      if (isAnswer(results.sites)) results.sites = onlySite(results.sites, site);
      // In the order asked for, as the batch answers.
      return { ...answer, results: Object.fromEntries(asked.filter((n) => n in results).map((n) => [n, results[n]])) };
    });
  }
  const name = path.slice('/api/stats/'.length);
  if (notSharable(name)) throw httpError(403, 'not_shared', notShared(name).message);
  return readInFormat(reads, inner, name === 'sites' ? (answer) => onlySite(answer, site) : undefined);
}

const isAnswer = (v: unknown): v is Answer => typeof v === 'object' && v !== null && Array.isArray((v as Answer).data);

function onlySite(answer: Answer, site: string): Answer {
  return { ...answer, data: (answer.data as { site?: unknown }[]).filter((r) => r.site === site) };
}
