/**
 * Sessionize, over a whole batch: a session is a visitor's run of hits with no gap longer
 * than the inactivity timeout (30 minutes by default, as Google Analytics and
 * Plausible use). Pure: takes the state, returns the events' session ids and
 * the sessions touched; the caller persists the state.
 *
 * Session ids are deterministic (UUIDv5 of site, visitor and start time), so a
 * batch processed again after a crash yields the same ids. A session's start
 * never moves, even for a late, out-of-order hit, because it is part of the
 * sessions table's sorting key. Time on site is last hit - first hit.
 */
import { v5 as uuidv5 } from 'uuid';
import type { Event } from '../event.ts';

const NAMESPACE = '6f1c8b8e-4b6a-4f0e-9f39-2d7c1d1b7a51';

export interface Session {
  id: string; site: string; visitorId: string; start: number; last: number; hits: number; pageviews: number;
  entryPath: string; exitPath: string; referrerHost: string; channel: string;
  utmSource: string; utmMedium: string; utmCampaign: string; browser: string; os: string; deviceType: string; country: string;
  /** Bus offset of the last hit applied: a hit at or below it is already counted. */
  lastOffset: number;
}

export type SessionState = Map<string, Session>;

const keyOf = (ev: Event): string => `${ev.site}|${ev.visitorId}`;

function startSession(ev: Event): Session {
  return {
    id: uuidv5(`${ev.site}|${ev.visitorId}|${ev.ts}`, NAMESPACE), site: ev.site, visitorId: ev.visitorId,
    start: ev.ts, last: ev.ts, hits: 0, pageviews: 0, entryPath: '', exitPath: '',
    referrerHost: ev.channel === 'internal' ? '' : ev.referrerHost, channel: ev.channel === 'internal' ? 'direct' : ev.channel,
    utmSource: ev.utm.source, utmMedium: ev.utm.medium, utmCampaign: ev.utm.campaign,
    browser: ev.browser, os: ev.os, deviceType: ev.deviceType, country: ev.country, lastOffset: -1,
  };
}

/**
 * Assigns every event its session and returns the sessions that changed.
 * Events are applied in bus order (their offsets), which is what makes
 * "offset <= lastOffset means already applied" hold.
 */
export function sessionize(state: SessionState, events: Event[], timeoutMs: number): Session[] {
  const touched = new Map<string, Session>();
  const ordered = [...events].sort((a, b) => a.busOffset - b.busOffset);
  for (const ev of ordered) {
    const key = keyOf(ev);
    let s = state.get(key);
    if (s && ev.busOffset <= s.lastOffset) {
      // Redelivered after a crash, and already in the restored state: count it once.
      ev.sessionId = s.id;
      continue;
    }
    if (s && ev.ts < s.start - timeoutMs) {
      // A straggler from long before the current session: its own one-off session, state untouched.
      s = startSession(ev);
    } else if (!s || ev.ts - s.last > timeoutMs) {
      s = startSession(ev);
      state.set(key, s);
    }
    s.hits++;
    s.last = Math.max(s.last, ev.ts);
    s.lastOffset = Math.max(s.lastOffset, ev.busOffset);
    if (ev.isPageview) {
      s.pageviews++;
      if (!s.entryPath) s.entryPath = ev.path;
      if (ev.ts >= s.last) s.exitPath = ev.path;
    }
    ev.sessionId = s.id;
    touched.set(s.id, s);
  }
  return [...touched.values()];
}

/** Forgets sessions that ended more than `timeoutMs` before `now` (they cannot grow again). */
export function expireSessions(state: SessionState, now: number, timeoutMs: number): void {
  for (const [key, s] of state) if (now - s.last > timeoutMs) state.delete(key);
}
