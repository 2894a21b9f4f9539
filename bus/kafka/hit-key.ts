/**
 * The Kafka message key: site + the visitor's address, so all hits of one
 * visitor land on one partition and one processor sees their whole session
 * (ARCHITECTURE.md, Keys). For a log line the visitor is the line's
 * $remote_addr, not the shipper that posted it; reading it is a cheap look at
 * the line's shape, not parsing.
 */
import type { Hit } from '../../common/hit.ts';

const JSON_REMOTE_ADDR = /"remote_addr"\s*:\s*"([^"]{1,64})"/;

/** The visitor's address in a log line: $remote_addr of a JSON line, the first field of combined. */
function addressIn(line: string, depth = 0): string | undefined {
  if (!line.startsWith('{')) return line.slice(0, Math.max(0, line.indexOf(' '))) || undefined;
  const direct = JSON_REMOTE_ADDR.exec(line)?.[1];
  if (direct || depth > 0) return direct;
  // A shipper's envelope (Vector "message", Fluent Bit "log"): the address is in the line it wraps.
  try {
    const f = JSON.parse(line) as { message?: unknown; log?: unknown };
    const inner = typeof f.message === 'string' ? f.message : typeof f.log === 'string' ? f.log : undefined;
    return inner === undefined ? undefined : addressIn(inner.trimStart(), 1);
  } catch {
    return undefined;
  }
}

export function hitKey(hit: Hit): string {
  if (hit.kind === 'beacon') return `${hit.site}|${hit.client}`;
  return `${hit.site}|${addressIn(hit.line) ?? hit.client}`;
}
