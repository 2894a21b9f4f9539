/**
 * nginx/Apache `combined` (and `common`) access-log lines:
 *   $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
 * Quoted fields may contain \" and \xHH escapes (nginx escapes " and
 * non-printable bytes; Apache escapes " as \"). Anything after the user agent
 * (extra fields some formats append) and trailing whitespace are ignored.
 */
import { emptyEvent, type Event } from '../event.ts';
import { deadLetter, ok, type StepResult } from '../result.ts';
import { clampInt, isPlausibleTime } from './numbers.ts';

const Q = '"((?:[^"\\\\]|\\\\.)*)"';
const COMBINED = new RegExp(`^(\\S+) \\S+ \\S+ \\[([^\\]]+)\\] ${Q} (\\d{3}) (\\d+|-)(?:\\s*$| ${Q} ${Q}(?:\\s.*)?$)`);
const LOOKS_LIKE_LOG = /^\S+ \S+ \S+ \[[^\]]*\]?/;

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const TIME_LOCAL = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** `25/Oct/2015:04:11:25 +0100` ($time_local) to ms since the epoch, or NaN. */
export function parseTimeLocal(text: string): number {
  const m = TIME_LOCAL.exec(text);
  if (!m) return NaN;
  const [, d, mon, y, hh, mm, ss, sign, oh, om] = m;
  const month = MONTHS[mon!];
  if (month === undefined) return NaN;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return Date.UTC(Number(y), month, Number(d), Number(hh), Number(mm), Number(ss)) - offset;
}

/** Undoes the log's escaping of a quoted field: \" \\ and \xHH (bytes, decoded as UTF-8). */
export function unescapeLogField(s: string): string {
  if (!s.includes('\\')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (c === 0x5c && (s[i + 1] === '"' || s[i + 1] === '\\')) {
      bytes.push(s.charCodeAt(++i));
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `GET /a?b=1 HTTP/1.1` to method, path and query; anything else (a TLS handshake, "-") has neither. */
export function splitRequest(request: string): { method: string; path: string; query: string } {
  const parts = request.split(' ');
  if (parts.length !== 3 || !/^[A-Z]{1,16}$/.test(parts[0]!)) return { method: '', path: '', query: '' };
  const target = parts[1]!;
  const q = target.indexOf('?');
  return { method: parts[0]!, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1) };
}

export function parseCombinedLine(line: string, site: string, receivedAt: number): StepResult {
  const m = COMBINED.exec(line);
  if (!m) {
    const reason = LOOKS_LIKE_LOG.test(line) ? 'truncated_line' : 'unrecognised_line';
    return deadLetter(
      reason,
      reason === 'truncated_line'
        ? 'access-log line ends before its status, size, referrer or user-agent field'
        : 'not an nginx combined/common or JSON access-log line',
    );
  }
  const [, addr, time, request, status, bytes, referrer, ua] = m;
  const ts = parseTimeLocal(time!);
  if (!isPlausibleTime(ts, receivedAt)) return deadLetter('invalid_timestamp', `cannot read time "${time}", or it is in the future`);
  const ev: Event = { ...emptyEvent(site, ts, 'log'), ...splitRequest(request!) };
  ev.client = addr!;
  ev.status = Number(status);
  ev.bytes = bytes === '-' ? 0 : clampInt(Number(bytes), Number.MAX_SAFE_INTEGER);
  ev.referrer = referrer === undefined || referrer === '-' ? '' : unescapeLogField(referrer);
  ev.userAgent = ua === undefined || ua === '-' ? '' : unescapeLogField(ua);
  return ok(ev);
}
