/**
 * A visitor found to be a bot by what it did (bots/behaviour.ts): the hit
 * that decided it, and why. Kept in the session state while hits of the
 * visitor's day may still come, stored in `bot_visitors` (so a restarted
 * processor knows it, and the dashboards leave the visitor's hits out), and
 * named like a user-agent bot where its user agent names one.
 */
import type { Event } from '../event.ts';
import type { BehaviourReason } from '../bots/behaviour.ts';
import { botNameOf } from '../bots/bot-name.ts';

export interface BotFlag {
  site: string;
  visitorId: string;
  reason: BehaviourReason;
  detail: string;
  name: string;
  /** Time and bus offset of the deciding hit. */
  ts: number;
  offset: number;
  userAgent: string;
}

/** What the bots table calls a bot that claims to be a browser: what it claims. */
const nameOf = (ev: Event): string => botNameOf(ev.userAgent) || (ev.browser ? `${ev.browser} look-alike` : 'unnamed client');

export const flagOf = (ev: Event, verdict: { reason: BehaviourReason; detail: string }): BotFlag => ({
  site: ev.site,
  visitorId: ev.visitorId,
  reason: verdict.reason,
  detail: verdict.detail,
  name: nameOf(ev),
  ts: ev.ts,
  offset: ev.busOffset,
  userAgent: ev.userAgent,
});
