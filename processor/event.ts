/**
 * The event as it moves through the pipeline steps: each step fills in more of
 * it. `client` (the IP address) exists only until the privacy step removes it.
 */
export interface Event {
  site: string;
  ts: number; // ms since the epoch, UTC
  source: 'log' | 'beacon';
  eventType: 'request' | 'pageview' | 'event' | 'engagement';
  eventName: string;
  isPageview: boolean;
  client?: string;
  userAgent: string;
  host: string;
  method: string;
  /** Request target up to "?" (as logged, not decoded). */
  path: string;
  query: string;
  status: number;
  bytes: number;
  requestTimeMs: number;
  upstreamTimeMs: number;
  /** Whether the source carried a response time (nginx's JSON format does; combined lines and beacons do not). */
  timed: boolean;
  referrer: string;
  referrerHost: string;
  /** Path of the referrer URL (processing only, not stored): own-host evidence (batch/own-hosts.ts). */
  referrerPath: string;
  channel: string;
  utm: { source: string; medium: string; campaign: string; content: string; term: string };
  browser: string;
  browserVersion: string;
  os: string;
  osVersion: string;
  deviceType: string;
  botName: string;
  /** Set when the visitor's behaviour makes it a bot (bots/behaviour.ts): the reason, and what it did. */
  botReason: string;
  botDetail: string;
  country: string;
  language: string;
  screenWidth: number;
  engagedMs: number;
  /** A pageview already counted from the other source (log or beacon): kept as a hit, not counted again. */
  twin: boolean;
  props: Record<string, string>;
  visitorId: string; // UInt64 as decimal text
  sessionId: string;
  /** Offset of the hit on its bus stream (processing metadata, not stored with the event). */
  busOffset: number;
}

export function emptyEvent(site: string, ts: number, source: Event['source']): Event {
  return {
    site,
    ts,
    source,
    eventType: 'request',
    eventName: '',
    isPageview: false,
    userAgent: '',
    host: '',
    method: '',
    path: '',
    query: '',
    status: 0,
    bytes: 0,
    requestTimeMs: 0,
    upstreamTimeMs: 0,
    timed: false,
    referrer: '',
    referrerHost: '',
    referrerPath: '',
    channel: '',
    utm: { source: '', medium: '', campaign: '', content: '', term: '' },
    browser: '',
    browserVersion: '',
    os: '',
    osVersion: '',
    deviceType: '',
    botName: '',
    botReason: '',
    botDetail: '',
    country: '',
    language: '',
    screenWidth: 0,
    engagedMs: 0,
    twin: false,
    props: {},
    visitorId: '0',
    sessionId: '00000000-0000-0000-0000-000000000000',
    busOffset: 0,
  };
}
