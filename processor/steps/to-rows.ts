/**
 * Step 6: events and sessions to the JSONEachRow rows of the ClickHouse
 * tables (clickhouse/migrations). Times go as "YYYY-MM-DD hh:mm:ss.sss" UTC,
 * which DateTime64(3, 'UTC') reads without ambiguity.
 */
import type { Event } from '../event.ts';
import type { Session } from './sessionize.ts';

export const chTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

/** The start of the minute holding `ms`, as a DateTime (pipeline_stats counts per minute). */
export const chMinute = (ms: number): string => chTime(Math.floor(ms / 60_000) * 60_000).slice(0, 19);

export function eventRow(ev: Event) {
  return {
    site: ev.site, ts: chTime(ev.ts), source: ev.source, event_type: ev.eventType, event_name: ev.eventName,
    is_pageview: ev.isPageview ? 1 : 0, visitor_id: ev.visitorId, session_id: ev.sessionId, host: ev.host,
    method: ev.method, path: ev.path, query: ev.query, status: ev.status, bytes: ev.bytes,
    request_time_ms: ev.requestTimeMs, upstream_time_ms: ev.upstreamTimeMs, referrer: ev.referrer,
    referrer_host: ev.referrerHost, channel: ev.channel, utm_source: ev.utm.source, utm_medium: ev.utm.medium,
    utm_campaign: ev.utm.campaign, utm_content: ev.utm.content, utm_term: ev.utm.term, browser: ev.browser,
    browser_version: ev.browserVersion, os: ev.os, os_version: ev.osVersion, device_type: ev.deviceType,
    country: ev.country, language: ev.language, screen_width: ev.screenWidth, engaged_ms: ev.engagedMs, props: ev.props,
  };
}

export function botHitRow(ev: Event, reason: string) {
  return {
    site: ev.site, ts: chTime(ev.ts), source: ev.source, path: ev.path, status: ev.status, bytes: ev.bytes,
    bot_name: ev.botName, reason, user_agent: ev.userAgent.slice(0, 1000),
  };
}

export function sessionRow(s: Session, stream: string) {
  return {
    site: s.site, session_id: s.id, visitor_id: s.visitorId, start_ts: chTime(s.start), end_ts: chTime(s.last),
    duration_s: Math.round((s.last - s.start) / 1000), hits: s.hits, pageviews: s.pageviews,
    is_bounce: s.pageviews <= 1 && s.hits <= 1 ? 1 : 0, entry_path: s.entryPath, exit_path: s.exitPath,
    referrer_host: s.referrerHost, channel: s.channel, utm_source: s.utmSource, utm_medium: s.utmMedium,
    utm_campaign: s.utmCampaign, browser: s.browser, os: s.os, device_type: s.deviceType, country: s.country,
    stream, last_offset: Math.max(0, s.lastOffset),
    // ReplacingMergeTree keeps the highest version; a session only ever grows.
    version: s.hits,
  };
}
