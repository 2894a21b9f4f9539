/**
 * The Kafka message key: site + the visitor's address, so all hits of one
 * visitor land on one partition and one processor sees their whole session
 * (ARCHITECTURE.md, Keys). For a log line the visitor is the line's
 * $remote_addr, not the shipper that posted it; reading it is a cheap look at
 * the line's shape, not parsing.
 */
import type { Hit } from '../../common/hit.ts';

const JSON_REMOTE_ADDR = /"remote_addr"\s*:\s*"([^"]{1,64})"/;

export function hitKey(hit: Hit): string {
  if (hit.kind === 'beacon') return `${hit.site}|${hit.client}`;
  const line = hit.line;
  const addr = line.startsWith('{') ? JSON_REMOTE_ADDR.exec(line)?.[1] : line.slice(0, Math.max(0, line.indexOf(' ')));
  return `${hit.site}|${addr || hit.client}`;
}
