/**
 * A row of clickhouse/queries/stage/enrich.sql as the outcome
 * processor/batch/run-records.ts gives a record: an event, a drop with its
 * reason and detail, or a dead letter.
 */
import { emptyEvent, type Event } from '../../processor/event.ts';
import type { DeadLetterReason, DropReason } from '../../processor/result.ts';

export interface EnrichedRow {
  position: string;
  offset: string | number;
  outcome: 'event' | 'dropped' | 'dead_letter';
  reason: string;
  detail: string;
  site: string;
  ts: string | number;
  source: Event['source'];
  event_type: Event['eventType'];
  event_name: string;
  is_pageview: number;
  user_agent: string;
  host: string;
  method: string;
  path: string;
  query: string;
  status: string | number;
  bytes: string | number;
  request_time_ms: string | number;
  upstream_time_ms: string | number;
  timed: number;
  referrer: string;
  referrer_host: string;
  referrer_path: string;
  channel: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  utm_content: string;
  utm_term: string;
  browser: string;
  browser_version: string;
  os: string;
  os_version: string;
  device_type: string;
  bot_name: string;
  country: string;
  language: string;
  screen_width: string | number;
  engaged_ms: string | number;
  props: Record<string, string>;
  visitor_id: string;
}

export type EnrichedOutcome = { offset: number } & (
  | { kind: 'event'; event: Event }
  | { kind: 'dropped'; reason: DropReason; event: Event; detail: string }
  | { kind: 'dead_letter'; reason: DeadLetterReason; detail: string }
);

/** The event of a row; the fields enrichment does not touch are as the parse step leaves them. */
export function eventOf(r: EnrichedRow): Event {
  const ev = emptyEvent(r.site, Number(r.ts), r.source);
  Object.assign(ev, {
    eventType: r.event_type,
    eventName: r.event_name,
    isPageview: r.is_pageview === 1,
    userAgent: r.user_agent,
    host: r.host,
    method: r.method,
    path: r.path,
    query: r.query,
    status: Number(r.status),
    bytes: Number(r.bytes),
    requestTimeMs: Number(r.request_time_ms),
    upstreamTimeMs: Number(r.upstream_time_ms),
    timed: r.timed === 1,
    referrer: r.referrer,
    referrerHost: r.referrer_host,
    referrerPath: r.referrer_path,
    channel: r.channel,
    utm: { source: r.utm_source, medium: r.utm_medium, campaign: r.utm_campaign, content: r.utm_content, term: r.utm_term },
    browser: r.browser,
    browserVersion: r.browser_version,
    os: r.os,
    osVersion: r.os_version,
    deviceType: r.device_type,
    botName: r.bot_name,
    country: r.country,
    language: r.language,
    screenWidth: Number(r.screen_width),
    engagedMs: Number(r.engaged_ms),
    props: r.props,
    visitorId: r.visitor_id,
  });
  return ev;
}

export function outcomeOf(r: EnrichedRow): EnrichedOutcome {
  const offset = Number(r.offset);
  if (r.outcome === 'event') return { offset, kind: 'event', event: eventOf(r) };
  if (r.outcome === 'dropped') return { offset, kind: 'dropped', reason: r.reason as DropReason, event: eventOf(r), detail: r.detail };
  return { offset, kind: 'dead_letter', reason: r.reason as DeadLetterReason, detail: r.detail };
}
