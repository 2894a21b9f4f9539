/**
 * Query parameters of the dashboard API, validated before any query runs:
 * an unknown parameter, a bad value or a range too large is a 400 with the
 * reason. Pure: raw query string values in, typed parameters out.
 */
import { isValidSiteName } from '../../common/config.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { own } from '../../common/own.ts';

export const CHANNELS = ['direct', 'internal', 'search', 'social', 'email', 'paid', 'campaign', 'referral'] as const;
export const DEVICES = ['desktop', 'mobile', 'tablet', 'smarttv', 'console', 'wearable', 'embedded', 'xr'] as const;
const GRANULARITY = { minute: 60, hour: 3600, day: 86_400 } as const;
const MAX_RANGE_MS = 400 * 86_400_000;
const MAX_POINTS = 1500;
const EARLIEST = Date.UTC(2000, 0, 1);
const KNOWN = new Set(['site', 'from', 'to', 'granularity', 'page', 'entry', 'channel', 'device', 'country', 'status', 'limit', 'compare', 'traffic', 'event']);

/** Periods a range can be compared with: the one just before it, or the same weekdays 52 weeks earlier. */
export const COMPARISONS = ['previous', 'year'] as const;
/** 52 weeks: "a year before" that falls on the same weekdays, so weekly patterns line up. */
export const YEAR_BEFORE_MS = 364 * 86_400_000;

export interface QueryParams {
  site: string; from: number; to: number; bucket: number; limit: number;
  /** The period the figures are compared with (overview, timeseries), if any. */
  compare: (typeof COMPARISONS)[number] | null;
  /** Whose hits: people (events) or bots (bot_hits; only pages, status and failing-paths read them). */
  traffic: 'humans' | 'bots';
  /** Hit filters: select hits, and the visits that contain one (docs/metrics.md). */
  page: string; status_class: number;
  /** Session filters: select sessions by what they started with, and every hit of them. */
  entry: string; channel: string; device: string; country: string;
  /** The custom event whose properties custom-event-props lists. */
  event: string;
}

/** A parameter the API refuses: `code` is the JSON `error` of the 400. */
export class ParamError extends ScalehouseError {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The `site` parameter, lowercased; a ParamError unless it names a site. */
export function siteOf(raw: string | undefined): string {
  const site = (raw ?? '').toLowerCase();
  if (!isValidSiteName(site)) throw new ParamError('invalid_parameter', 'site must be the name of a site, e.g. site=example.com');
  return site;
}

function time(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const ms = /^\d{10,13}$/.test(raw) ? Number(raw.length === 10 ? `${raw}000` : raw) : Date.parse(raw);
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > Date.now() + 86_400_000 * 366) throw new ParamError('invalid_parameter', `${name} must be an ISO 8601 time or epoch milliseconds after 2000`);
  return ms;
}

function path(raw: string | undefined, name: string): string {
  const value = raw ?? '';
  if (value.length > 2048 || (value && !value.startsWith('/'))) throw new ParamError('invalid_parameter', `${name} must be a path starting with /`);
  return value;
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

export function parseParams(q: Record<string, string>, now = Date.now(), needsSite = true): QueryParams {
  const unknown = Object.keys(q).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new ParamError('unknown_parameter', `unknown parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}; known: ${[...KNOWN].join(', ')}`);
  const site = needsSite ? siteOf(q.site) : (q.site ?? '').toLowerCase();
  let to = time(q.to, 'to', now);
  let from = time(q.from, 'from', to - 86_400_000);
  if (from >= to) throw new ParamError('invalid_range', 'from must be before to');
  if (to - from > MAX_RANGE_MS) throw new ParamError('range_too_large', 'a range may span at most 400 days');
  // A day or more is read from the hourly rollups: align it to whole hours, so no partial hour at
  // either end is counted whole. Shorter ranges are read exactly from raw events.
  if (to - from >= ROLLUP_MIN_RANGE_MS) {
    from = Math.floor(from / HOUR) * HOUR;
    to = Math.ceil(to / HOUR) * HOUR;
  }
  const g = q.granularity ?? 'auto';
  let bucket: number;
  if (g === 'auto') bucket = to - from <= 6 * 3_600_000 ? 60 : to - from <= 14 * 86_400_000 ? 3600 : 86_400;
  else {
    const seconds = own<number>(GRANULARITY, g);
    if (seconds === undefined) throw new ParamError('invalid_parameter', 'granularity must be minute, hour, day or auto');
    bucket = seconds;
  }
  if ((to - from) / 1000 / bucket > MAX_POINTS) throw new ParamError('range_too_large', `that range at ${g} granularity is more than ${MAX_POINTS} points; choose a coarser granularity`);
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ParamError('invalid_parameter', 'limit must be a whole number from 1 to 1000');
  const page = path(q.page, 'page');
  const entry = path(q.entry, 'entry');
  const channel = q.channel ?? '';
  if (channel && !(CHANNELS as readonly string[]).includes(channel)) throw new ParamError('invalid_parameter', `channel must be one of ${CHANNELS.join(', ')}`);
  const device = q.device ?? '';
  if (device && !(DEVICES as readonly string[]).includes(device)) throw new ParamError('invalid_parameter', `device must be one of ${DEVICES.join(', ')}`);
  const country = (q.country ?? '').toUpperCase();
  if (country && !/^[A-Z]{2}$/.test(country)) throw new ParamError('invalid_parameter', 'country must be a two-letter ISO 3166 code');
  const status = q.status ?? '';
  if (status && !/^[1-5]xx$/.test(status)) throw new ParamError('invalid_parameter', 'status must be 1xx, 2xx, 3xx, 4xx or 5xx');
  const compare = q.compare ?? null;
  if (compare !== null && !(COMPARISONS as readonly string[]).includes(compare)) throw new ParamError('invalid_parameter', `compare must be one of ${COMPARISONS.join(', ')}`);
  const event = q.event ?? '';
  if (event.length > 200) throw new ParamError('invalid_parameter', 'event must be the name of a custom event (at most 200 characters)');
  const traffic = q.traffic ?? 'humans';
  if (traffic !== 'humans' && traffic !== 'bots') throw new ParamError('invalid_parameter', 'traffic must be humans or bots');
  return { site, from, to, bucket, limit, compare: compare as QueryParams['compare'], traffic, page, entry, channel, device, country, status_class: status ? Number(status[0]) : 0, event };
}
