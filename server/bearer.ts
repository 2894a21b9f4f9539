/**
 * The token of an `Authorization: Bearer <token>` header. The scheme is
 * case-insensitive (RFC 9110 §11.1): `bearer x` is the same credential.
 */
export function bearerToken(header: string | undefined): string {
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m ? m[1]! : '';
}
