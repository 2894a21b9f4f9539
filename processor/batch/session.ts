/**
 * A session as a summary of its hits that can be merged in any order: the
 * earliest and latest hit, counts, and the hits it is attributed to. Because
 * merging is associative and commutative, a session built from hits that
 * arrive out of order equals the one built from the same hits sorted by time
 * (docs/metrics.md). Hits are ordered by (time, bus offset): the offset breaks
 * ties between hits of the same second in the order they were logged.
 */
import { v5 as uuidv5 } from 'uuid';
import type { Event } from '../event.ts';
import { capUnpaired, unpairedOf, type UnpairedPage } from './twins.ts';
import { capEvidence, recentOf, type RecentHit } from '../bots/behaviour.ts';

const NAMESPACE = '6f1c8b8e-4b6a-4f0e-9f39-2d7c1d1b7a51';

/** Where a hit sits in the order of a visitor's hits. */
export interface Mark {
  ts: number;
  offset: number;
}
const before = (a: Mark, b: Mark): boolean => a.ts < b.ts || (a.ts === b.ts && a.offset < b.offset);

/** The hit a session is attributed to: its first pageview, or its first hit when it has none. */
export interface Entry extends Mark {
  page: boolean;
  path: string;
  referrerHost: string;
  channel: string;
  utmSource: string;
  utmMedium: string;
  utmCampaign: string;
  browser: string;
  os: string;
  deviceType: string;
  country: string;
}

export interface Session {
  /** UUIDv5 of site, visitor and start: the same hits give the same id, however they arrived. */
  id: string;
  site: string;
  visitorId: string;
  start: number;
  last: number;
  hits: number;
  pageviews: number;
  /** Custom events (beacon `event`) and engaged time the beacon reported. */
  events: number;
  engagedMs: number;
  entry: Entry;
  /** The last pageview ('' path when there is none). */
  exit: Mark & { path: string };
  /** Bus offset of the last hit applied: a hit at or below it is already counted. */
  lastOffset: number;
  /** Rows of this session now in ClickHouse, under the id and start they were written with. */
  written: { id: string; start: number }[];
  /** Earlier ids of this session that its events were loaded with (before its start moved or it was merged). */
  mergedIds: string[];
  /** Recent pageviews the other source has not reported yet (twins.ts). */
  unpaired: UnpairedPage[];
  /** Recent pageviews and form posts: the evidence of the behavioural bot rules (bots/behaviour.ts). */
  recent: RecentHit[];
}

export const sessionId = (site: string, visitorId: string, start: number): string => uuidv5(`${site}|${visitorId}|${start}`, NAMESPACE);

function entryOf(ev: Event): Entry {
  // A referral from the site itself says nothing about where the visit came from.
  const internal = ev.channel === 'internal';
  return {
    ts: ev.ts,
    offset: ev.busOffset,
    page: ev.isPageview,
    path: ev.isPageview ? ev.path : '',
    referrerHost: internal ? '' : ev.referrerHost,
    channel: internal ? 'direct' : ev.channel,
    utmSource: ev.utm.source,
    utmMedium: ev.utm.medium,
    utmCampaign: ev.utm.campaign,
    browser: ev.browser,
    os: ev.os,
    deviceType: ev.deviceType,
    country: ev.country,
  };
}

const evidenceOf = (ev: Event): RecentHit[] => {
  const r = recentOf(ev);
  return r ? [r] : [];
};

/** A session of one hit. */
export function sessionOf(ev: Event): Session {
  return {
    id: sessionId(ev.site, ev.visitorId, ev.ts),
    site: ev.site,
    visitorId: ev.visitorId,
    start: ev.ts,
    last: ev.ts,
    hits: 1,
    pageviews: ev.isPageview ? 1 : 0,
    events: ev.eventType === 'event' ? 1 : 0,
    engagedMs: ev.engagedMs,
    entry: entryOf(ev),
    exit: ev.isPageview ? { ts: ev.ts, offset: ev.busOffset, path: ev.path } : { ts: -Infinity, offset: -1, path: '' },
    lastOffset: ev.busOffset,
    written: [],
    mergedIds: [],
    unpaired: unpairedOf(ev),
    recent: evidenceOf(ev),
  };
}

/** One session from two of the same visitor: order does not matter. */
export function mergeSessions(a: Session, b: Session): Session {
  const start = Math.min(a.start, b.start);
  const entry = a.entry.page !== b.entry.page ? (a.entry.page ? a.entry : b.entry) : before(b.entry, a.entry) ? b.entry : a.entry;
  return {
    id: sessionId(a.site, a.visitorId, start),
    site: a.site,
    visitorId: a.visitorId,
    start,
    last: Math.max(a.last, b.last),
    hits: a.hits + b.hits,
    pageviews: a.pageviews + b.pageviews,
    events: a.events + b.events,
    engagedMs: a.engagedMs + b.engagedMs,
    entry,
    exit: before(a.exit, b.exit) ? b.exit : a.exit,
    lastOffset: Math.max(a.lastOffset, b.lastOffset),
    written: [...a.written, ...b.written],
    mergedIds: [...new Set([...a.mergedIds, ...b.mergedIds])],
    unpaired: capUnpaired([...a.unpaired, ...b.unpaired]),
    recent: capEvidence([...a.recent, ...b.recent]),
  };
}

/** Bounce: one pageview, no custom event, and under 10 s engaged (GA4's threshold for an engaged session). */
export const ENGAGED_MS = 10_000;
export const isBounce = (s: Session): boolean => s.pageviews === 1 && s.events === 0 && s.engagedMs < ENGAGED_MS;

/** Visit duration: engaged time where the beacon measured it, else last − first hit (a lower bound). */
export const durationMs = (s: Session): number => (s.engagedMs > 0 ? s.engagedMs : s.last - s.start);
