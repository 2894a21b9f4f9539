/**
 * Pipeline step: privacy: the visitor becomes a keyed hash and the IP address is
 * dropped. visitor_id = first 8 bytes of HMAC-SHA256(salt of the event's UTC
 * day, site | IP | user agent). Salts rotate daily and are destroyed after
 * two days (salt-store.ts), after which a hash can no longer be tied to an IP.
 * Visitors who ask not to be tracked (Sec-GPC: 1 or DNT: 1 on a beacon) are
 * dropped, with their own reason, before any identifier is made.
 */
import { createHmac } from 'node:crypto';
import type { Event } from '../event.ts';
import { drop, ok, type StepResult } from '../result.ts';

/** Returns the secret salt for a UTC day ("2026-11-28"). */
export type SaltFor = (day: string) => Buffer;

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
