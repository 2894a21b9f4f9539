/**
 * The OpenAPI route definitions of the collector's intake: the beacon
 * (beacon.ts) and log batches (logs.ts). Bodies are read by the routes
 * themselves (the size limit applies while reading), so these only describe.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { jsonAnswer, refusals } from '../../server/api-schemas.ts';

const ACCEPTED = z
  .object({
    accepted: z.number().int().min(0).openapi({ description: 'Hits now durably on the bus (0: an opted-out visitor, nothing written)' }),
  })
  .openapi('Accepted');

const BEACON = z
  .object({
    site: z.string().openapi({ description: 'One of SITES', example: 'example.com' }),
    url: z.string().max(4096).openapi({
      description: 'The absolute URL of the page (the processor takes the page from it; the collector only checks it parses)',
      example: 'https://example.com/pricing',
    }),
    type: z.enum(['pageview', 'event', 'engagement']).optional().openapi({ description: '`pageview` when absent' }),
    name: z.string().max(200).optional().openapi({ description: 'The name of a custom event (type `event`)', example: 'Signup' }),
    referrer: z.string().optional().openapi({ description: 'document.referrer' }),
    hash: z.boolean().optional().openapi({ description: "The page is the URL's #/ fragment (single-page apps with hash routing)" }),
    w: z.number().int().min(0).optional().openapi({ description: 'Screen width in CSS pixels' }),
    engaged_ms: z.number().int().min(0).optional().openapi({ description: 'Time engaged on the page (type `engagement`)' }),
    props: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Properties of a custom event (at most 30)' }),
  })
  .catchall(z.unknown())
  .openapi('Beacon');

/** What intake answers when the bus cannot take hits, or anything else refuses them. */
const INTAKE_REFUSALS = {
  405: 'Not POST (an `Allow: POST` header says what is)',
  413: 'The body is too large (`payload_too_large`)',
  415: 'A content type not taken (`unsupported_media_type`)',
  429: 'Too many from this client or for this site (`rate_limited`, with Retry-After)',
  503: 'The bus cannot take hits now (`unavailable`, with Retry-After)',
  507: 'The disk is nearly full (`insufficient_storage`, with Retry-After)',
};

export const COLLECTOR_ROUTES = [
  createRoute({
    method: 'post',
    path: '/api/event',
    tags: ['intake'],
    summary: 'A beacon of the snippet: a pageview or a custom event',
    description:
      'text/plain is taken as JSON too: navigator.sendBeacon sends strings so, without a CORS preflight. ' +
      'A visitor who asked not to be tracked (Sec-GPC: 1, DNT: 1) gets 202 with `accepted: 0`.',
    request: { body: { required: true, content: { 'application/json': { schema: BEACON }, 'text/plain': { schema: BEACON } } } },
    responses: {
      202: jsonAnswer('On the bus', ACCEPTED),
      ...refusals({
        400: 'Not a beacon (`invalid_beacon`, `malformed_json`, `missing_site`, `invalid_site`, `too_deep`, `incomplete_body`)',
        403: 'From an origin not in BEACON_ORIGINS (`origin_not_allowed`)',
        404: 'A site not in SITES (`unknown_site`)',
        ...INTAKE_REFUSALS,
      }),
    },
  }),
  createRoute({
    method: 'post',
    path: '/api/logs',
    tags: ['intake'],
    summary: 'A batch of access-log lines from a shipper (Vector, Fluent Bit, curl)',
    description: 'Lines are not parsed here; the processor does that. A JSON array holds lines (strings) or records (kept as JSON text).',
    security: [{ ingestToken: [] }],
    request: {
      query: z.object({
        site: z.string().optional().openapi({ description: 'One of SITES (or the X-Scalehouse-Site header)', example: 'example.com' }),
      }),
      body: {
        required: true,
        content: {
          'text/plain': { schema: z.string().openapi({ description: 'One log line a line (combined, common or nginx JSON)' }) },
          'application/x-ndjson': { schema: z.string() },
          'application/json': { schema: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])) },
        },
      },
    },
    responses: {
      202: jsonAnswer('On the bus', ACCEPTED),
      ...refusals({
        400: 'No lines, or a bad site or JSON (`empty_batch`, `missing_site`, `invalid_site`, `malformed_json`)',
        401: 'No ingest token or a wrong one (`missing_token`, `bad_token`, with WWW-Authenticate)',
        404: 'A site not in SITES (`unknown_site`)',
        ...INTAKE_REFUSALS,
        413: 'The batch is over LOG_BATCH_MAX_BYTES (`payload_too_large`) or a line over LOG_LINE_MAX_BYTES (`line_too_long`)',
      }),
    },
  }),
];
