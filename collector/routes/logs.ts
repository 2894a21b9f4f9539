/**
 * POST /api/logs?site=example.com — batches of raw access-log lines from a
 * shipper (Vector, Fluent Bit, curl). Needs `Authorization: Bearer <INGEST_TOKEN>`.
 * Bodies: newline-delimited lines (text/plain, application/x-ndjson) or a JSON
 * array of lines/records (application/json, as Vector's and Fluent Bit's HTTP
 * outputs send). Lines are not parsed here; the processor does that. Client
 * addresses in them become pseudonyms before they reach the bus.
 */
import { Hono } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import { tokenDigest } from '../../common/token-digest.ts';
import { logHit } from '../../common/hit.ts';
import { httpError } from '../../common/http-error.ts';
import type { ServerEnv } from '../../server/env.ts';
import { requireContentType } from '../../server/content-type.ts';
import { readBody } from '../../server/read-body.ts';
import { parseJsonBody } from '../../server/json-body.ts';
import { bearerToken } from '../../server/bearer.ts';
import { checkSite } from '../sites.ts';
import type { IntakeDeps } from '../deps.ts';

const digest = (s: string): Buffer => Buffer.from(tokenDigest(s), 'hex');

/** Splits a body into lines; a JSON array's elements are lines (strings) or records (kept as JSON text). */
export function splitBatch(body: string, type: string): string[] {
  if (type === 'application/json' && body.trimStart().startsWith('[')) {
    const items = parseJsonBody(body, 'the body (it starts like a JSON array)');
    return (items as unknown[]).map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  }
  return body
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

export function logRoutes(deps: IntakeDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const maxBatch = deps.config.LOG_BATCH_MAX_BYTES;
  const tooLarge = () => httpError(413, 'payload_too_large', `a log batch may be at most ${maxBatch} bytes; send smaller batches`);
  const accepted = deps.ingestTokens.map(digest);
  app.post(
    '/api/logs',
    async (c, next) => {
      const token = bearerToken(c.req.header('authorization'));
      if (!token)
        throw httpError(401, 'missing_token', 'send the ingest token as "Authorization: Bearer <INGEST_TOKEN>"', {
          'www-authenticate': 'Bearer',
        });
      // Compare digests in constant time, each of them, so timing reveals neither a token nor which one matched.
      const got = digest(token);
      if (!accepted.map((d) => timingSafeEqual(got, d)).includes(true))
        throw httpError(401, 'bad_token', 'the ingest token is not valid', { 'www-authenticate': 'Bearer' });
      await next();
    },
    async (c) => {
      const type = requireContentType(c, ['text/plain', 'application/x-ndjson', 'application/json']);
      const site = checkSite(c.req.query('site') ?? c.req.header('x-scalehouse-site'), deps.config.SITES);
      const lines = splitBatch(await readBody(c, maxBatch, tooLarge), type);
      if (lines.length === 0) throw httpError(400, 'empty_batch', 'the batch holds no log lines');
      const maxLine = deps.config.LOG_LINE_MAX_BYTES;
      const long = lines.findIndex((l) => Buffer.byteLength(l) > maxLine);
      if (long >= 0)
        throw httpError(
          413,
          'line_too_long',
          `line ${long + 1} is longer than ${maxLine} bytes (LOG_LINE_MAX_BYTES); nothing was accepted`,
        );
      const from = { receivedAt: Date.now(), client: c.get('clientAddress') };
      const hits = lines.map((line) => deps.pseudonymise.hit(logHit(site, line, from)));
      await deps.bus.publish(hits);
      deps.counters.accepted += hits.length;
      return c.json({ accepted: hits.length }, 202);
    },
  );
  return app;
}
