/**
 * The JSONEachRow rows of the ClickHouse tables (clickhouse/migrations), made
 * from events, sessions, dead letters and outcome counts. Pure; times are
 * written as clickhouse/time.ts says.
 */
import { chTime } from '../../clickhouse/time.ts';
import type { Event } from '../event.ts';
import { durationMs, isBounce, type Session } from '../batch/session.ts';
import { redactIps } from '../../common/redact-ips.ts';
import type { BotFlag } from '../batch/bot-flag.ts';
import type { Hit } from '../../common/hit.ts';
import { cutText } from '../../common/clean-text.ts';
import type { BotMinuteRow, BotSampleRow } from './bot-rows.ts';

/** Everything one batch loads, table by table. */
export interface BatchRows {
  events: ReturnType<typeof eventRow>[];
  /** Bot hits, counted per rollup key (bot-rows.ts), and a sample of them. */
  botMinutes: BotMinuteRow[];
  botSamples: BotSampleRow[];
  sessions: ReturnType<typeof sessionRow>[];
  deadLetters: DeadLetterRow[];
  stats: StatRow[];
  /** Visitors found to be bots by behaviour in this batch: their earlier hits move out of the human figures (load-batch.ts). */
  botVisitors: ReturnType<typeof botVisitorRow>[];
  /**
   * The bus position of the record each row of `events` came from, and of every record a row of `botMinutes`
   * counts, row for row: a row the engine refuses dead-letters its records.
   */
  origins: { events: string[]; botMinutes: string[][] };
}
export interface DeadLetterRow {
  ts: string;
  site: string;
  source: string;
  reason: string;
  detail: string;
  raw: string;
  position: string;
}
export interface StatRow {
  minute: string;
  site: string;
  outcome: string;
  reason: string;
  count: number;
}

export function eventRow(ev: Event) {
  return {
    site: ev.site,
    ts: chTime(ev.ts),
    source: ev.source,
    event_type: ev.eventType,
    event_name: ev.eventName,
    is_pageview: ev.isPageview ? 1 : 0,
    visitor_id: ev.visitorId,
    session_id: ev.sessionId,
    host: ev.host,
    method: ev.method,
    path: ev.path,
    query: ev.query,
    status: ev.status,
    bytes: ev.bytes,
    request_time_ms: ev.requestTimeMs,
    upstream_time_ms: ev.upstreamTimeMs,
    timed: ev.timed ? 1 : 0,
    twin: ev.twin ? 1 : 0,
    referrer: ev.referrer,
    referrer_host: ev.referrerHost,
    channel: ev.channel,
    utm_source: ev.utm.source,
    utm_medium: ev.utm.medium,
    utm_campaign: ev.utm.campaign,
    utm_content: ev.utm.content,
    utm_term: ev.utm.term,
    browser: ev.browser,
    browser_version: ev.browserVersion,
    os: ev.os,
    os_version: ev.osVersion,
    device_type: ev.deviceType,
    country: ev.country,
    language: ev.language,
    screen_width: ev.screenWidth,
    engaged_ms: ev.engagedMs,
    props: ev.props,
  };
}

export function sessionRow(s: Session, stream: string) {
  const e = s.entry;
  return {
    site: s.site,
    session_id: s.id,
    visitor_id: s.visitorId,
    start_ts: chTime(s.start),
    end_ts: chTime(s.last),
    duration_s: Math.round(durationMs(s) / 1000),
    hits: s.hits,
    pageviews: s.pageviews,
    events: s.events,
    engaged_ms: s.engagedMs,
    is_bounce: isBounce(s) ? 1 : 0,
    entry_path: e.path,
    exit_path: s.exit.path,
    referrer_host: e.referrerHost,
    channel: e.channel,
    utm_source: e.utmSource,
    utm_medium: e.utmMedium,
    utm_campaign: e.utmCampaign,
    browser: e.browser,
    os: e.os,
    device_type: e.deviceType,
    country: e.country,
    entry_ts: chTime(e.ts),
    entry_offset: Math.max(0, e.offset),
    exit_ts: chTime(Math.max(0, s.exit.ts)),
    exit_offset: Math.max(0, s.exit.offset),
    merged_ids: s.mergedIds,
    unpaired_pages: JSON.stringify(s.unpaired),
    recent_hits: JSON.stringify(s.recent),
    stream,
    last_offset: Math.max(0, s.lastOffset),
    // ReplacingMergeTree keeps the highest version; a session only ever grows.
    version: s.hits,
    is_deleted: 0,
  };
}

export function botVisitorRow(f: BotFlag, stream: string) {
  return {
    site: f.site,
    day: chTime(f.ts).slice(0, 10),
    visitor_id: f.visitorId,
    flagged_ts: chTime(f.ts),
    reason: f.reason,
    detail: cutText(f.detail, 1000),
    bot_name: f.name,
    user_agent: cutText(f.userAgent, 1000),
    stream,
    bus_offset: Math.max(0, f.offset),
  };
}

/**
 * The row that retires an id a session no longer has: the same sorting key
 * (site, start day, id) as the row written under it, a higher version, and
 * is_deleted, so FINAL drops both.
 */
export function deletedSessionRow(s: Session, id: string, start: number, stream: string) {
  return { ...sessionRow(s, stream), session_id: id, start_ts: chTime(start), is_deleted: 1 };
}

/**
 * What could not be used, with its reason; IP addresses in the text are masked (no raw IP reaches ClickHouse).
 * The text is made well-formed (a lone surrogate becomes U+FFFD): a dead letter is where a record the engine
 * refused ends up, so it must never be refused itself for the same reason.
 */
export function deadLetterRow(
  site: string,
  source: string,
  reason: string,
  detail: string,
  raw: string,
  position: string,
  now: number,
): DeadLetterRow {
  const text = (s: string, max: number) => cutText(redactIps(s), max).toWellFormed();
  return { ts: chTime(now), site: text(site, 200), source, reason, detail: text(detail, 1000), raw: text(raw, 65536), position };
}

/** The text a dead letter keeps of a hit: a log line as it came, a beacon's payload as JSON. */
export const rawOfHit = (hit: Hit): string => (hit.kind === 'log' ? hit.line : JSON.stringify(hit.payload));
