/**
 * The OpenAPI route definitions of the read API: the named queries
 * (routes.ts, answer.ts), the batch (batch.ts) and the realtime stream
 * (realtime.ts). Their parameters are the schema params.ts checks them with.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_BODY, jsonAnswer, LOGIN_REFUSALS, READER, refusals } from '../../server/api-schemas.ts';
import { QUERIES } from './queries.ts';
import { STATS_QUERY } from '../query/schemas.ts';
import { MAX_BATCH_QUERIES } from './batch.ts';

const TIME = z.iso.datetime().nullable().openapi({ description: 'ISO 8601 (UTC); null for all time', example: '2026-06-01T00:00:00.000Z' });

export const STATS_ANSWER = z
  .object({
    query: z.string(),
    source: z.enum(['rollup', 'events']).openapi({ description: 'Read from the hourly rollups or from raw events' }),
    from: TIME,
    to: TIME,
    bucket: z.number().int().openapi({ description: 'Seconds a point of a series covers' }),
    data: z
      .union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())])
      .openapi({ description: 'Rows, or an object of them; what each query answers: docs/metrics.md' }),
  })
  .catchall(z.unknown())
  .openapi('StatsAnswer');

const QUERY_FAILED = ERROR_BODY.extend({
  status: z.number().int().openapi({ description: 'The status the query alone would have answered' }),
});

const STATS_REFUSALS = {
  ...LOGIN_REFUSALS,
  422: 'Past the read limits (`query_too_expensive`): a shorter range or fewer filters',
};

const NAME = z
  .enum(Object.keys(QUERIES) as [string, ...string[]])
  .openapi({ param: { name: 'name', in: 'path' }, description: 'A named query (GET /api/stats lists them)' });

export const STATS_ROUTES = [
  createRoute({
    method: 'get',
    path: '/api/stats',
    tags: ['stats'],
    summary: 'The names of the queries',
    security: READER,
    responses: { 200: jsonAnswer('The named queries', z.object({ queries: z.array(z.string()) })), ...refusals(LOGIN_REFUSALS) },
  }),
  createRoute({
    method: 'get',
    path: '/api/stats/batch',
    tags: ['stats'],
    summary: 'Several named queries in one request',
    description:
      'Parameters without a dot are common to every query; `NAME.param` is for that query alone and overrides the common one ' +
      '(e.g. `pages.traffic=bots`). A query refused or failing is an `{error, message, status}` entry of its own and never fails the others.',
    security: READER,
    request: {
      query: STATS_QUERY.extend({
        queries: z
          .string()
          .openapi({ description: `Comma-separated names of queries, at most ${MAX_BATCH_QUERIES}`, example: 'overview,pages,channels' }),
      }),
    },
    responses: {
      200: jsonAnswer(
        "Each query's answer or refusal, by name",
        z.object({ results: z.record(z.string(), z.union([STATS_ANSWER, QUERY_FAILED])) }),
      ),
      ...refusals({
        400: 'No queries, too many, or a bad common parameter (`invalid_parameter`, `unknown_parameter`, `invalid_range`, `range_too_large`)',
        404: 'The common `site` has no data and SITES does not name it (`unknown_site`); a query whose own `NAME.site` is such a site answers this in its entry',
        ...STATS_REFUSALS,
      }),
    },
  }),
  createRoute({
    method: 'get',
    path: '/api/stats/{name}',
    tags: ['stats'],
    summary: 'One named query',
    security: READER,
    request: {
      params: z.object({ name: NAME }),
      query: STATS_QUERY.extend({
        format: z.enum(['json', 'csv']).optional().openapi({ description: '`csv`: the rows as an RFC 4180 file' }),
      }),
    },
    responses: {
      200: {
        description: 'The answer',
        content: {
          'application/json': { schema: STATS_ANSWER },
          'text/csv': { schema: z.string().openapi({ description: 'The rows, with a header line' }) },
        },
      },
      ...refusals({
        400: 'A bad or unknown parameter (`invalid_parameter`, `unknown_parameter`, `invalid_range`, `range_too_large`)',
        404: 'No such query (`unknown_query`), or a site with no data (`unknown_site`)',
        ...STATS_REFUSALS,
      }),
    },
  }),
  createRoute({
    method: 'get',
    path: '/api/realtime',
    tags: ['stats'],
    summary: 'The realtime view, as Server-Sent Events',
    description:
      'Events: `snapshot` every few seconds (the visitors of the last five minutes and the latest hits, JSON), `problem` when a read failed, ' +
      'and `end` (`{"reason": …}`) when the credential the stream was opened with ends (logged out, revoked, expired).',
    security: READER,
    request: { query: z.strictObject({ site: z.string().openapi({ example: 'example.com' }) }) },
    responses: {
      200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
      ...refusals({
        400: 'A bad or unknown parameter (`invalid_parameter`, `unknown_parameter`)',
        ...LOGIN_REFUSALS,
        404: 'A site with no hits yet (`unknown_site`)',
        429: 'Too many streams for this login or site (`too_many_streams`)',
      }),
    },
  }),
];
