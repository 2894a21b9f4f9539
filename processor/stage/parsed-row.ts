/**
 * A parsed event as the batch's table of parsed events takes it
 * (clickhouse/queries/stage/parsed-create.sql): what parseHit made of a record
 * the engine's fast path left, with the hit's own header fields — the
 * collector's country and the visitor's opt-out — beside it. Pure.
 *
 * Its text goes to the engine as UTF-8, where a lone surrogate (a field
 * parseHit does not clean, such as the address it hashes) is U+FFFD, as Node
 * encodes it for the JavaScript program's hash; JSON would write it as an
 * escape the engine refuses, so it is made U+FFFD here.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { Hit } from '../../common/hit.ts';
import type { Event } from '../event.ts';
import { mapStrings } from '../../common/map-strings.ts';

const wellFormed = <T>(row: T): T => mapStrings(row, (s) => s.toWellFormed());

export function parsedRowOf(record: Pick<BusRecord, 'position' | 'offset'>, ev: Event, hit: Hit) {
  return wellFormed({
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
  });
}
