/**
 * Parsed events as the staging table of enrichment in the engine takes them
 * (clickhouse/queries/stage/enrich-stage-create.sql): what the JavaScript
 * parse step made of a hit, with the hit's own header fields, until the parse
 * step in SQL fills that table itself.
 */
import type { Hit } from '../../common/hit.ts';
import type { Event } from '../../processor/event.ts';

export function stagedRow(ev: Event, hit: Hit, offset: number) {
  return {
    position: `test@${offset}`,
    offset,
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
