/**
 * Where the visitor's address sits in an access-log line, found by a cheap
 * look at the line's shape — not parsing, which is the processor's job:
 * $remote_addr is the first field of combined/common, the "remote_addr"
 * member of nginx JSON, or either of those inside a shipper's envelope
 * (Vector's "message", Fluent Bit's "log").
 */
import { isIP } from 'node:net';
import { replaceAddressText } from './address-text.ts';

const JSON_REMOTE_ADDR = /"remote_addr"\s*:\s*"([^"]{1,64})"/;
// nginx JSON members that carry client addresses ($http_x_forwarded_for is a list).
const JSON_ADDRESS_MEMBERS =
  /("(?:remote_addr|realip_remote_addr|http_x_forwarded_for|http_x_real_ip|x_forwarded_for)"\s*:\s*")([^"]*)(")/g;

function envelopeOf(line: string): { record: Record<string, unknown>; key: 'message' | 'log'; inner: string } | undefined {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (typeof record !== 'object' || record === null) return undefined;
    const key = typeof record.message === 'string' ? 'message' : typeof record.log === 'string' ? 'log' : undefined;
    return key ? { record, key, inner: record[key] as string } : undefined;
  } catch {
    return undefined;
  }
}

/** The visitor's address in a log line, if the line shows one. */
export function addressIn(line: string, depth = 0): string | undefined {
  if (!line.startsWith('{')) return line.slice(0, Math.max(0, line.indexOf(' '))) || undefined;
  const direct = JSON_REMOTE_ADDR.exec(line)?.[1];
  if (direct || depth > 0) return direct;
  const envelope = envelopeOf(line);
  return envelope ? addressIn(envelope.inner.trimStart(), 1) : undefined;
}

/**
 * The line with every client address replaced by `replace(address)`: the
 * address field, the address members of nginx JSON, and any other place the
 * visitor's address stands (a forwarded-for field appended to combined, a
 * query string or a referrer that carries it: address-text.ts).
 * Returns undefined for a line whose shape shows no address field (nor a
 * combined line whose first field is not an IP address).
 */
export function replaceAddresses(line: string, replace: (address: string) => string, depth = 0): string | undefined {
  if (line.startsWith('{')) {
    const visitor = JSON_REMOTE_ADDR.exec(line)?.[1];
    if (visitor !== undefined || depth > 0) {
      const members = line.replace(
        JSON_ADDRESS_MEMBERS,
        (_, open: string, list: string, close: string) =>
          open +
          list
            .split(/(,\s*)/)
            .map((part) => (/^(,\s*|-|)$/.test(part) ? part : replace(part)))
            .join('') +
          close,
      );
      return visitor ? replaceAddressText(members, visitor, replace(visitor)) : members;
    }
    const envelope = envelopeOf(line);
    if (!envelope) return undefined;
    const inner = replaceAddresses(envelope.inner.trimStart(), replace, 1);
    return inner === undefined ? undefined : JSON.stringify({ ...envelope.record, [envelope.key]: inner });
  }
  const address = addressIn(line);
  // $remote_addr is an address; a first field that is not one means a line of no known shape.
  if (!address || isIP(address) === 0) return undefined;
  const pseudonym = replace(address);
  return pseudonym + replaceAddressText(line.slice(address.length), address, pseudonym);
}
