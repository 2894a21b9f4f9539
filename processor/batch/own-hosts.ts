/**
 * A site's own host names, learned from how visitors move: a referral to a hit
 * from a page this visitor has just viewed on the site (the referrer URL's
 * path is the path of the visitor's last or first pageview of a held
 * session, before this hit) comes from the site itself, whatever host the
 * referrer names — so combined-format logs, which carry no host, teach it too.
 * "/" is no evidence (every search engine's referrer is "/"), and only
 * referrals count (never search, social or email hosts, never UTM-tagged hits).
 */
import type { Event } from '../event.ts';
import type { Session } from './session.ts';

/** The referrer's host when the hit is such a self-referral, else ''. */
export function selfReferralHost(ev: Event, held: Session[]): string {
  if (ev.channel !== 'referral' || !ev.referrerHost) return '';
  const path = ev.referrerPath;
  if (!path || path === '/') return '';
  const viewed = (m: { ts: number; path: string }) => m.path === path && m.ts <= ev.ts;
  return held.some((s) => viewed(s.exit) || (s.entry.page && viewed(s.entry))) ? ev.referrerHost : '';
}
