/**
 * Lines written by the `scalehouse_json` log_format in nginx/ (escape=json).
 * nginx writes every variable as a JSON string, "-" or "" when unset;
 * numbers are accepted too, for shippers that convert them.
 */
import { emptyEvent, type Event } from '../event.ts';
import { deadLetter, ok, type StepResult } from '../result.ts';
import { parseTimeLocal } from './combined-line.ts';
import { clampInt, isPlausibleTime, UINT32_MAX } from './numbers.ts';

type Fields = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' && v !== '-' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number => {
  // $upstream_response_time may list several upstreams ("0.010, 0.020"): their sum is the time spent upstream.
  const n = str(v)
    .split(/[,:]\s*/)
    .reduce((sum, part) => sum + Math.max(0, Number(part) || 0), 0);
  return Number.isFinite(n) ? n : 0;
};

/** $msec (seconds.millis), $time_iso8601 or $time_local, whichever the format carries. */
function readTime(f: Fields): number {
  if (str(f.msec)) return Math.round(Number(str(f.msec)) * 1000);
  const iso = str(f.time_iso8601) || str(f.time);
  if (iso) return Date.parse(iso);
  if (str(f.time_local)) return parseTimeLocal(str(f.time_local));
  return NaN;
}

export function parseNginxJsonLine(f: Fields, site: string, receivedAt: number): StepResult {
  const ts = readTime(f);
  if (!isPlausibleTime(ts, receivedAt))
    return deadLetter('invalid_timestamp', 'JSON log line has no readable msec, time_iso8601 or time_local, or a time in the future');
  const status = Number(str(f.status));
  if (!Number.isInteger(status) || status < 100 || status > 999)
    return deadLetter('invalid_json_line', 'JSON log line has no valid status');
  const ev: Event = emptyEvent(site, ts, 'log');
  const uri = str(f.request_uri) || str(f.uri);
  const q = uri.indexOf('?');
  ev.method = str(f.request_method) || str(f.method);
  ev.path = q < 0 ? uri : uri.slice(0, q);
  ev.query = q < 0 ? '' : uri.slice(q + 1);
  ev.client = str(f.remote_addr);
  ev.host = str(f.host).toLowerCase();
  ev.status = status;
  ev.bytes = clampInt(num(f.body_bytes_sent), Number.MAX_SAFE_INTEGER);
  ev.requestTimeMs = clampInt(num(f.request_time) * 1000, UINT32_MAX);
  ev.timed = str(f.request_time) !== '';
  ev.upstreamTimeMs = clampInt(num(f.upstream_response_time) * 1000, UINT32_MAX);
  ev.referrer = str(f.http_referer) || str(f.referer);
  ev.userAgent = str(f.http_user_agent) || str(f.user_agent);
  ev.language = (str(f.http_accept_language) || str(f.accept_language)).split(/[,;]/)[0]?.trim().slice(0, 16) ?? '';
  return ok(ev);
}
