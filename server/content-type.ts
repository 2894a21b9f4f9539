/** Content-type check shared by the intake routes: 415 names what is accepted. */
import type { Context } from 'hono';
import { httpError } from '../common/http-error.ts';

export function requireContentType(c: Context, accepted: string[]): string {
  return checkContentType(c.req.header('content-type'), accepted);
}

/** The media type of a Content-Type header's value, if `accepted` has it; else the 415. */
export function checkContentType(header: string | undefined, accepted: string[]): string {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (!accepted.includes(type)) {
    throw httpError(415, 'unsupported_media_type', `Content-Type must be one of ${accepted.join(', ')}; got "${type || 'none'}"`);
  }
  return type;
}
