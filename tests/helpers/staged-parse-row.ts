/**
 * A row of clickhouse/queries/stage/parse-records.sql, parsed in the engine,
 * as the Event parseHit makes of the same line (processor/event.ts): a log
 * request with the fields the parsers fill. Pure.
 */
import { emptyEvent, type Event } from '../../processor/event.ts';

/** One record the engine parsed: its place in the batch and the fields. */
export interface StagedRow {
  seq: number;
  site: string;
  ts: number;
  client: string;
  user_agent: string;
  host: string;
  method: string;
  path: string;
  query: string;
  status: number;
  bytes: number;
  request_time_ms: number;
  upstream_time_ms: number;
  timed: boolean;
  referrer: string;
  language: string;
}

export function eventOfStagedRow(row: StagedRow): Event {
  const ev = emptyEvent(row.site, row.ts, 'log');
  // The same keys in the same order as the parsers set them, so that the two events are alike to the last key.
  ev.method = row.method;
  ev.path = row.path;
  ev.query = row.query;
  ev.client = row.client;
  ev.host = row.host;
  ev.status = row.status;
  ev.bytes = row.bytes;
  ev.requestTimeMs = row.request_time_ms;
  ev.timed = row.timed;
  ev.upstreamTimeMs = row.upstream_time_ms;
  ev.referrer = row.referrer;
  ev.userAgent = row.user_agent;
  ev.language = row.language;
  return ev;
}
