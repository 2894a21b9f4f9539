/**
 * The JSON body of a request that changes the dashboard's own settings
 * (goals, funnels, shared links): JSON only (415 otherwise), at most 16 KB
 * (413), and parseable (400 with the parser's reason). What the body must
 * hold is checked by the caller.
 */
import type { Context } from 'hono';
import { httpError } from '../common/http-error.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export async function jsonBody(c: Context): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) throw httpError(415, 'unsupported_media_type', 'send the body as JSON, with Content-Type: application/json');
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw httpError(413, 'payload_too_large', `a body is at most ${MAX_BODY_BYTES / 1024} KB`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw httpError(400, 'invalid_json', `the body is not JSON: ${(err as Error).message.slice(0, 120)}`);
  }
}
