/** Content-type check shared by the intake routes: 415 names what is accepted. */
import type { Context } from 'hono';
import { httpError } from '../common/http-error.ts';

export function requireContentType(c: Context, accepted: string[]): string {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!accepted.includes(type)) {
    throw httpError(415, 'unsupported_media_type', `Content-Type must be one of ${accepted.join(', ')}; got "${type || 'none'}"`);
  }
  return type;
}
