/**
 * The token of an `Authorization: Bearer <token>` header. The scheme is
 * case-insensitive (RFC 9110 §11.1): `bearer x` is the same credential.
 */
import type { Context } from 'hono';
import { tokenDigest } from '../common/token-digest.ts';

export function bearerToken(header: string | undefined): string {
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m ? m[1]! : '';
}

/** Whether a request's bearer token is one of those whose digests are given (common/token-digest.ts). */
export function bearerIn(digests: Iterable<string>): (c: Context) => boolean {
  const allowed = new Set(digests);
  return (c) => {
    const token = bearerToken(c.req.header('authorization'));
    return token !== '' && allowed.has(tokenDigest(token));
  };
}
