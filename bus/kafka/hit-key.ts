/**
 * The Kafka message key: site + the visitor's address (a pseudonym, by the
 * time a hit reaches the bus), so all hits of one visitor land on one
 * partition and one processor sees their whole session (docs/scaling.md,
 * Kafka). For a log line the visitor is the line's $remote_addr, not the
 * shipper that posted it.
 */
import type { Hit } from '../../common/hit.ts';
import { addressIn } from '../../common/line-address.ts';

export function hitKey(hit: Hit): string {
  if (hit.kind === 'beacon') return `${hit.site}|${hit.client}`;
  return `${hit.site}|${addressIn(hit.line) ?? hit.client}`;
}
