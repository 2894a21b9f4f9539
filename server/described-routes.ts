/** The OpenAPI route definitions of what the server itself answers: health (health.ts), metrics (metrics-route.ts) and the document (openapi.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { jsonAnswer, refusals } from './api-schemas.ts';

const READY = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    problems: z
      .array(z.string())
      .optional()
      .openapi({ description: 'What keeps the process from being ready (with an ingest or API token only)' }),
  })
  .catchall(z.unknown())
  .openapi('Readiness', { description: 'With an ingest or API token, also the problems and counters (bus lag, hits accepted, refusals)' });

export const SERVER_ROUTES = [
  createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['health'],
    summary: 'The process is up',
    responses: { 200: jsonAnswer('Up', z.object({ status: z.literal('ok') })) },
  }),
  createRoute({
    method: 'get',
    path: '/readyz',
    tags: ['health'],
    summary: 'The process can do its job: ClickHouse answers, the bus takes hits and is consumed',
    security: [{}, { ingestToken: [] }, { apiToken: [] }],
    responses: { 200: jsonAnswer('Ready', READY), 503: jsonAnswer('Not ready', READY) },
  }),
  createRoute({
    method: 'get',
    path: '/metrics',
    tags: ['health'],
    summary: 'Prometheus metrics (here unless METRICS_PORT serves them apart)',
    security: [{ ingestToken: [] }, { apiToken: [] }],
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: z.string() } } },
      ...refusals({ 401: 'No ingest or API token (`missing_token`)' }),
    },
  }),
  createRoute({
    method: 'get',
    path: '/api/openapi.json',
    tags: ['health'],
    summary: 'This document',
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document',
        content: { 'application/json': { schema: z.object({ openapi: z.string() }).catchall(z.unknown()) } },
      },
    },
  }),
];
