/**
 * GET /api/stats/batch — several named queries in one request, so a
 * dashboard refresh is one request instead of one per panel:
 *
 *   /api/stats/batch?queries=overview,pages,channels&site=…&from=…&to=…&pages.traffic=bots
 *
 * Parameters without a dot are common to every query; `NAME.param` is for
 * that query alone and overrides the common one. Bad common parameters (or a
 * `NAME.` of a query not asked for) refuse the whole batch with a 400; past
 * that, each query is validated and answered as GET /api/stats/NAME answers
 * it (answer.ts), and a query refused or failing (an unknown name, a bad
 * parameter of its own, past the read limits) is an `{error, message,
 * status}` entry of its own: it never fails the others.
 *
 * Breakdowns of the visits asked with the same parameters (entry and exit
 * pages, channels, referrers, UTM, browsers, OS, devices, countries) are
 * read together, in one query (readBreakdowns), with the same rows.
 * The reads run one after another (`batchConcurrency`, 1 by default): the
 * embedded engine runs one query at a time, so running them together gains
 * nothing and adds memory (measured: docs/benchmarks.md, "Dashboard refresh").
 */
import { httpError, HttpRefusal } from '../../common/http-error.ts';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { own } from '../../common/own.ts';
import { QUERIES, readBreakdowns } from './queries.ts';
import { answerBody, paramsOrRefusal, prepareQuery, requireKnownSite, withinLimits, type Prepared, type StatsDeps } from './answer.ts';

/** More than every panel of the dashboard (28 queries), fewer than would hold the engine for long. */
export const MAX_BATCH_QUERIES = 40;

export type BatchEntry = Record<string, unknown> | { error: string; message: string; status: number };

/** What a query that was refused or failed answers in the batch. */
function failed(name: string, err: unknown): BatchEntry {
  if (err instanceof HttpRefusal) return { error: err.code, message: err.message, status: err.status };
  log.error('a query of a batch failed', { query: name, error: errorMessage(err) });
  return { error: 'internal', message: 'unexpected error in this query', status: 500 };
}

/** The query names and each one's parameters (common ones, then its own); a 400 for what cannot be a batch. */
function readRequest(search: URLSearchParams): { names: string[]; paramsOf: (name: string) => Record<string, string>; site?: string } {
  const names = (search.get('queries') ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.length)
    throw httpError(
      400,
      'invalid_parameter',
      'queries must list the queries to run, e.g. queries=overview,pages (GET /api/stats lists them)',
    );
  if (names.length > MAX_BATCH_QUERIES) throw httpError(400, 'invalid_parameter', `a batch may hold at most ${MAX_BATCH_QUERIES} queries`);
  if (new Set(names).size !== names.length) throw httpError(400, 'invalid_parameter', 'queries must name each query once');
  // Without prototypes: a parameter or query named __proto__ is a key like any other.
  const common: Record<string, string> = Object.create(null);
  const ownParams = new Map<string, Record<string, string>>();
  for (const [key, value] of search) {
    if (key === 'queries') continue;
    const dot = key.indexOf('.');
    if (dot < 0) {
      common[key] = value;
      continue;
    }
    const name = key.slice(0, dot);
    if (!names.includes(name))
      throw httpError(400, 'unknown_parameter', `${key.slice(0, 80)}: "${name.slice(0, 60)}" is not one of the queries of this batch`);
    if (!ownParams.has(name)) ownParams.set(name, Object.create(null));
    ownParams.get(name)![key.slice(dot + 1)] = value;
  }
  const needsSite = names.some((n) => own(QUERIES, n)?.needsSite);
  const { site } = paramsOrRefusal(common, needsSite);
  return { names, paramsOf: (name) => ({ ...common, ...ownParams.get(name) }), site: needsSite ? site : undefined };
}

export async function answerBatch(deps: StatsDeps, search: URLSearchParams): Promise<{ results: Record<string, BatchEntry> }> {
  const { names, paramsOf, site } = readRequest(search);
  // The site is common to the batch: an unknown one refuses it whole, as a bad common parameter does.
  if (site !== undefined) await requireKnownSite(deps, site);
  const answers = new Map<string, BatchEntry>();
  const ready: Prepared[] = [];
  for (const name of names) {
    try {
      const p = prepareQuery(name, paramsOf(name));
      // A query's own NAME.site is checked too: an unknown one is that query's 404, not empty figures.
      if (p.query.needsSite && p.params.site !== site) await requireKnownSite(deps, p.params.site);
      ready.push(p);
    } catch (err) {
      answers.set(name, failed(name, err));
    }
  }
  // The reads to make: breakdowns with equal parameters as one, every other query alone.
  const reads: (() => Promise<void>)[] = [];
  const alone = (p: Prepared) => async () => {
    answers.set(
      p.name,
      await withinLimits(p.query.run(deps.ch, p.params)).then(
        (r) => answerBody(deps, p, r),
        (err: unknown) => failed(p.name, err),
      ),
    );
  };
  const breakdowns = new Map<string, Prepared[]>();
  for (const p of ready) {
    if (!p.query.breakdown) {
      reads.push(alone(p));
      continue;
    }
    const key = JSON.stringify(p.params);
    if (!breakdowns.has(key)) breakdowns.set(key, []);
    breakdowns.get(key)!.push(p);
  }
  for (const group of breakdowns.values()) {
    if (group.length === 1) {
      reads.push(alone(group[0]!));
      continue;
    }
    reads.push(async () => {
      try {
        const rows = await withinLimits(
          readBreakdowns(
            deps.ch,
            group[0]!.params,
            group.map((p) => p.query.breakdown!),
          ),
        );
        for (const p of group) answers.set(p.name, answerBody(deps, p, { source: 'events', data: rows.get(p.query.breakdown!) }));
      } catch (err) {
        for (const p of group) answers.set(p.name, failed(p.name, err));
      }
    });
  }
  let next = 0;
  const worker = async () => {
    while (next < reads.length) await reads[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(deps.batchConcurrency ?? 1, reads.length) }, worker));
  // In the order asked for, whatever order they finished in.
  const results: Record<string, BatchEntry> = Object.create(null);
  for (const name of names) results[name] = answers.get(name)!;
  return { results };
}
