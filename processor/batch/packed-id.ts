/**
 * Ids as numbers rather than text, for held sessions: a session id (a UUID,
 * 36 characters) as its 16 bytes, a visitor id (a UInt64 written in decimal,
 * docs/privacy.md) as a 64-bit integer. Both read back exactly as written.
 */
import { ScalehouseError } from '../../common/errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Writes the UUID `id` (lower case, as uuid's v5 and ClickHouse's toString write it) as 16 bytes at `at`. */
export function packUuid(id: string, bytes: Uint8Array, at: number): void {
  if (!UUID.test(id)) throw new ScalehouseError(`not a session id: ${JSON.stringify(id)}`);
  // Once a touched session is stored back: char codes, not slices parsed one by one.
  for (let i = 0, c = 0; i < 16; i++, c += 2) {
    if (c === 8 || c === 13 || c === 18 || c === 23) c++;
    bytes[at + i] = (hexValue(id.charCodeAt(c)) << 4) | hexValue(id.charCodeAt(c + 1));
  }
}

/** The value of a lower-case hex digit's char code (the UUID is checked first). */
const hexValue = (code: number): number => (code <= 57 ? code - 48 : code - 87);

/** The UUID written at `at`. */
export function unpackUuid(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[bytes[at + i]!];
  }
  return s;
}

const MAX_U64 = 2n ** 64n - 1n;

/**
 * The visitor id as an unsigned 64-bit integer, or undefined when the text is
 * not one written the way toString writes it ("007" would not read back as
 * written): such an id is kept as text instead.
 */
export function packVisitor(id: string): bigint | undefined {
  if (!/^(?:0|[1-9]\d{0,19})$/.test(id)) return undefined;
  const n = BigInt(id);
  return n <= MAX_U64 ? n : undefined;
}
