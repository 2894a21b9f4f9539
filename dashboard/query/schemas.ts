/**
 * The query parameters of the dashboard's read API as one schema: what
 * params.ts checks each of them against (the message of a failed check is
 * the 400's), and what the OpenAPI document (dashboard/api/described-routes.ts) says of
 * them. What depends on more than one parameter — from before to, the range,
 * points per series, a site where the query needs one — stays in params.ts.
 */
import { z } from '@hono/zod-openapi';

export const CHANNELS = ['direct', 'internal', 'search', 'social', 'email', 'paid', 'campaign', 'referral'] as const;
export const DEVICES = ['desktop', 'mobile', 'tablet', 'smarttv', 'console', 'wearable', 'embedded', 'xr'] as const;
/** Periods a range can be compared with: the one just before it, or the same weekdays 52 weeks earlier. */
export const COMPARISONS = ['previous', 'year'] as const;
export const GRANULARITIES = ['minute', 'hour', 'day', 'auto'] as const;

const EARLIEST = Date.UTC(2000, 0, 1);

/** Milliseconds of an ISO 8601 time or epoch seconds (10 digits) or milliseconds (13); NaN unless after 2000 and within a year from now. */
export function parseTime(raw: string, now = Date.now()): number {
  const ms = /^\d{10,13}$/.test(raw) ? Number(raw.length === 10 ? `${raw}000` : raw) : Date.parse(raw);
  return Number.isFinite(ms) && ms >= EARLIEST && ms <= now + 86_400_000 * 366 ? ms : Number.NaN;
}

const time = (name: string) =>
  z
    .string()
    .refine((v) => v === '' || !Number.isNaN(parseTime(v)), { error: `${name} must be an ISO 8601 time or epoch milliseconds after 2000` })
    .optional()
    .openapi({
      description: `ISO 8601 (2026-06-01T00:00:00Z) or epoch milliseconds; ${name === 'to' ? 'now' : 'a day before `to`'} when absent`,
      example: '2026-06-01T00:00:00Z',
    });

const path = (name: string, what: string) =>
  z
    .string()
    .max(2048, { error: `${name} must be a path starting with /` })
    .refine((v) => v === '' || v.startsWith('/'), { error: `${name} must be a path starting with /` })
    .optional()
    .openapi({ description: what, example: '/pricing' });

/** One of `values`, or empty for none. */
const oneOf = <T extends readonly [string, ...string[]]>(values: T, name: string, description: string) =>
  z
    .enum(['', ...values] as [string, ...string[]], { error: `${name} must be one of ${values.join(', ')}` })
    .optional()
    .openapi({ description });

const LIMIT = 'limit must be a whole number from 1 to 1000';

/** Every parameter a named query takes; any other is a 400 `unknown_parameter`. */
export const STATS_QUERY = z.strictObject({
  site: z
    .string()
    .optional()
    .openapi({ description: 'The site (one of SITES); every query but `pipeline` needs it', example: 'example.com' }),
  from: time('from'),
  to: time('to'),
  granularity: z
    .enum(GRANULARITIES, { error: 'granularity must be minute, hour, day or auto' })
    .optional()
    .openapi({ description: 'Bucket of a series; `auto` (the default) picks minutes up to 6 hours, hours up to 14 days, else days' }),
  // Number() as ever: coerce reads the string the way the hand-written check did.
  limit: z.coerce
    .number({ error: LIMIT })
    .int({ error: LIMIT })
    .min(1, { error: LIMIT })
    .max(1000, { error: LIMIT })
    .optional()
    .openapi({ description: 'Most rows of a list (20 by default)' }),
  page: path('page', 'Only hits of this path, and the visits that contain one'),
  entry: path('entry', 'Only visits that entered at this path'),
  channel: oneOf(CHANNELS, 'channel', 'Only visits from this channel'),
  device: oneOf(DEVICES, 'device', 'Only visits from this kind of device'),
  country: z
    .string()
    .regex(/^([A-Za-z]{2})?$/, { error: 'country must be a two-letter ISO 3166 code' })
    .optional()
    .openapi({ description: 'Only visits from this country (ISO 3166 alpha-2)', example: 'FR' }),
  status: z
    .string()
    .regex(/^([1-5]xx)?$/, { error: 'status must be 1xx, 2xx, 3xx, 4xx or 5xx' })
    .optional()
    .openapi({ description: 'Only hits answered with this status class', example: '4xx' }),
  compare: z
    .enum(COMPARISONS, { error: `compare must be one of ${COMPARISONS.join(', ')}` })
    .optional()
    .openapi({ description: 'Also the period before (`previous`) or 52 weeks before (`year`): overview and timeseries' }),
  event: z
    .string()
    .max(200, { error: 'event must be the name of a custom event (at most 200 characters)' })
    .optional()
    .openapi({ description: 'The custom event whose properties custom-event-props lists' }),
  traffic: z
    .enum(['humans', 'bots'], { error: 'traffic must be humans or bots' })
    .optional()
    .openapi({ description: '`bots`: the hits of bots (pages, status, failing-paths only)' }),
});

export type StatsQuery = z.infer<typeof STATS_QUERY>;
export const STATS_PARAMETERS = Object.keys(STATS_QUERY.shape);
