/**
 * A parsed event as the batch's table of parsed events takes it
 * (clickhouse/queries/stage/parsed-create.sql): what parseHit made of a record
 * the engine's fast path left, with the hit's own header fields — the
 * collector's country and the visitor's opt-out — beside it. Pure.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { Hit } from '../../common/hit.ts';
import type { Event } from '../event.ts';

export function parsedRowOf(record: Pick<BusRecord, 'position' | 'offset'>, ev: Event, hit: Hit) {
  return {
    position: record.position,
    offset: record.offset,
    site: ev.site,
    ts: ev.ts,
    source: ev.source,
    event_type: ev.eventType,
    event_name: ev.eventName,
    is_pageview: ev.isPageview ? 1 : 0,
    client: ev.client ?? '',
    user_agent: ev.userAgent,
    host: ev.host,
    method: ev.method,
    path: ev.path,
    query: ev.query,
    status: ev.status,
    bytes: ev.bytes,
    request_time_ms: ev.requestTimeMs,
    upstream_time_ms: ev.upstreamTimeMs,
    timed: ev.timed ? 1 : 0,
    referrer: ev.referrer,
    language: ev.language,
    screen_width: ev.screenWidth,
    engaged_ms: ev.engagedMs,
    props: ev.props,
    header_country: typeof hit.headers.country === 'string' ? hit.headers.country : '',
    opt_out: hit.headers.optOut === true ? 1 : 0,
  };
}
