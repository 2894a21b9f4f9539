/**
 * Query parameters of the dashboard API, validated before any query runs:
 * an unknown parameter, a bad value or a range too large is a 400 with the
 * reason. Each parameter is checked by its schema (schemas.ts, which the
 * OpenAPI document describes); what depends on several is checked here.
 * Pure: raw query string values in, typed parameters out.
 */
import { isValidSiteName } from '../../common/config.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { parseTime, STATS_PARAMETERS, STATS_QUERY, type COMPARISONS } from './schemas.ts';

export { CHANNELS, COMPARISONS, DEVICES } from './schemas.ts';
const GRANULARITY = { minute: 60, hour: 3600, day: 86_400 } as const;
const MAX_RANGE_MS = 400 * 86_400_000;
const MAX_POINTS = 1500;

/** 52 weeks: "a year before" that falls on the same weekdays, so weekly patterns line up. */
export const YEAR_BEFORE_MS = 364 * 86_400_000;

export interface QueryParams {
  site: string;
  from: number;
  to: number;
  bucket: number;
  limit: number;
  /** The period the figures are compared with (overview, timeseries), if any. */
  compare: (typeof COMPARISONS)[number] | null;
  /** Whose hits: people (events) or bots (the rollup bots_minute; only pages, status and failing-paths read them). */
  traffic: 'humans' | 'bots';
  /** Hit filters: select hits, and the visits that contain one (docs/metrics.md). */
  page: string;
  status_class: number;
  /** Session filters: select sessions by what they started with, and every hit of them. */
  entry: string;
  channel: string;
  device: string;
  country: string;
  /** The custom event whose properties custom-event-props lists. */
  event: string;
}

/** A parameter the API refuses: `code` is the JSON `error` of the 400. */
export class ParamError extends ScalehouseError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `site` parameter, lowercased; a ParamError unless it names a site. */
export function siteOf(raw: string | undefined): string {
  const site = (raw ?? '').toLowerCase();
  if (!isValidSiteName(site)) throw new ParamError('invalid_parameter', 'site must be the name of a site, e.g. site=example.com');
  return site;
}

const HOUR = 3_600_000;
export const ROLLUP_MIN_RANGE_MS = 24 * HOUR;

export function hasFilters(p: QueryParams): boolean {
  return Boolean(p.page || p.entry || p.channel || p.device || p.country || p.status_class || p.traffic === 'bots');
}

/** Rollups answer unfiltered ranges of a day or more (aligned to hours); everything else reads raw events. */
export function useRollups(p: QueryParams): boolean {
  return !hasFilters(p) && p.to - p.from >= ROLLUP_MIN_RANGE_MS;
}

/** The first thing STATS_QUERY finds wrong with `q`, as the API's 400: unknown parameters first, then the first bad one. */
function checkFields(q: Record<string, string>): void {
  const { error } = STATS_QUERY.safeParse(q);
  if (!error) return;
  const unknown = error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
  if (unknown.length)
    throw new ParamError(
      'unknown_parameter',
      `unknown parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; known: ${STATS_PARAMETERS.join(', ')}`,
    );
  throw new ParamError('invalid_parameter', error.issues[0]!.message);
}

export function parseParams(q: Record<string, string>, now = Date.now(), needsSite = true): QueryParams {
  checkFields(q);
  const site = needsSite ? siteOf(q.site) : (q.site ?? '').toLowerCase();
  // Checked by STATS_QUERY: a time given is valid.
  let to = q.to ? parseTime(q.to) : now;
  let from = q.from ? parseTime(q.from) : to - 86_400_000;
  if (from >= to) throw new ParamError('invalid_range', 'from must be before to');
  if (to - from > MAX_RANGE_MS) throw new ParamError('range_too_large', 'a range may span at most 400 days');
  // A day or more is read from the hourly rollups: align it to whole hours, so no partial hour at
  // either end is counted whole. Shorter ranges are read exactly from raw events.
  if (to - from >= ROLLUP_MIN_RANGE_MS) {
    from = Math.floor(from / HOUR) * HOUR;
    to = Math.ceil(to / HOUR) * HOUR;
  }
  const g = (q.granularity ?? 'auto') as keyof typeof GRANULARITY | 'auto';
  const bucket = g !== 'auto' ? GRANULARITY[g] : to - from <= 6 * 3_600_000 ? 60 : to - from <= 14 * 86_400_000 ? 3600 : 86_400;
  if ((to - from) / 1000 / bucket > MAX_POINTS)
    throw new ParamError(
      'range_too_large',
      `that range at ${g} granularity is more than ${MAX_POINTS} points; choose a coarser granularity`,
    );
  const status = q.status ?? '';
  return {
    site,
    from,
    to,
    bucket,
    limit: q.limit === undefined ? 20 : Number(q.limit),
    compare: (q.compare ?? null) as QueryParams['compare'],
    traffic: (q.traffic ?? 'humans') as QueryParams['traffic'],
    page: q.page ?? '',
    entry: q.entry ?? '',
    channel: q.channel ?? '',
    device: q.device ?? '',
    country: (q.country ?? '').toUpperCase(),
    status_class: status ? Number(status[0]) : 0,
    event: q.event ?? '',
  };
}
