/**
 * Pipeline step: privacy: the visitor becomes a keyed hash and the address is
 * dropped. visitor_id = first 8 bytes of HMAC-SHA256(salt of the event's UTC
 * day, site | address | user agent), where the address is the pseudonym the
 * collector made of the IP before the hit reached the bus (common/pseudonym.ts;
 * the IP itself for files read straight from disk by tail and replay). Salts rotate daily and are destroyed after
 * two days (salt-store.ts), after which a hash can no longer be tied to an IP.
 * Visitors who ask not to be tracked (Sec-GPC: 1 or DNT: 1 on a beacon) are
 * dropped at the collector, never written; should such a hit arrive anyway
 * it is dropped here, with its own reason, before any identifier is made.
 */
import { createHmac } from 'node:crypto';
import type { Event } from '../event.ts';
import type { SaltFor } from '../../common/pseudonym.ts';
import { drop, ok, type StepResult } from '../result.ts';

export function visitorHash(salt: Buffer, site: string, ip: string, userAgent: string): string {
  const digest = createHmac('sha256', salt).update(`${site}\n${ip}\n${userAgent}`).digest();
  return digest.readBigUInt64BE(0).toString();
}

export function protectPrivacy(ev: Event, saltFor: SaltFor, optOut: boolean): StepResult {
  const ip = ev.client ?? '';
  delete ev.client;
  if (optOut) return drop('opted_out', ev, 'Sec-GPC or DNT');
  ev.visitorId = visitorHash(saltFor(new Date(ev.ts).toISOString().slice(0, 10)), ev.site, ip, ev.userAgent);
  return ok(ev);
}
