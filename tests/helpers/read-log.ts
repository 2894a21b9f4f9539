/**
 * Visits computed straight from access-log lines, as docs/metrics.md defines
 * them, with none of the project's code: a deliberately simple reading of the
 * combined format, the lines sorted by time, and the rules written out again
 * here. Tests compare what the stats API says with this.
 *
 * Only the user-agent verdict and the paths scanners probe are shared
 * (processor/bots/: tested on their own in tests/unit/): which user agents
 * and paths are bots' is a list, not a rule one could write again here. The
 * behavioural rules of docs/metrics.md are written out again below.
 */
import { readFileSync } from 'node:fs';
import { userAgentVerdict } from '../../processor/bots/user-agent-verdict.ts';
import { isProbePath } from '../../processor/bots/behaviour.ts';
import { clfTime } from './hits.ts';

export interface LogLine {
  n: number;
  ip: string;
  ts: number;
  method: string;
  path: string;
  status: number;
  referrer: string;
  ua: string;
  raw: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const COMBINED = new RegExp(
  `^(\\S+) \\S+ \\S+ \\[(\\d\\d)/(\\w{3})/(\\d{4}):(\\d\\d):(\\d\\d):(\\d\\d) ([+-])(\\d\\d)(\\d\\d)\\] ${QUOTED} (\\d{3}) \\S+ ${QUOTED} ${QUOTED}`,
);

/** Every non-empty line of a combined-format log, in file order (n counts from 1). */
export function readCombinedLog(file: string): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    if (!raw.trim()) continue;
    const m = COMBINED.exec(raw);
    if (!m) throw new Error(`not a combined-format line: ${raw.slice(0, 120)}`);
    const [, ip, day, mon, year, hh, mm, ss, sign, oh, om, request, status, referrer, ua] = m as unknown as string[];
    const offsetMs = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
    const ts = Date.UTC(Number(year), MONTHS.indexOf(mon!), Number(day), Number(hh), Number(mm), Number(ss)) - offsetMs;
    const parts = request!.split(' ');
    const wellFormed = parts.length === 3 && /^[A-Z]+$/.test(parts[0]!);
    out.push({
      n: out.length + 1,
      ip: ip!,
      ts,
      method: wellFormed ? parts[0]! : '',
      path: wellFormed ? parts[1]!.split('?')[0]! : '',
      status: Number(status),
      referrer: referrer === '-' ? '' : referrer!,
      ua: ua!.replace(/\\"/g, '"'),
      raw,
    });
  }
  return out;
}

/** One visitor of docs/metrics.md: a user agent from one address on one UTC day. */
export const visitorOf = (l: LogLine): string => `${new Date(l.ts).toISOString().slice(0, 10)}|${l.ip}|${l.ua}`;

/** The most lines within any 60 seconds (sorted by time); `distinct`: the most different paths. */
function mostInAMinute(lines: LogLine[], distinct: boolean): number {
  let best = 0;
  for (let i = 0; i < lines.length; i++) {
    const inside = lines.filter((l) => l.ts >= lines[i]!.ts && l.ts < lines[i]!.ts + 60_000);
    best = Math.max(best, distinct ? new Set(inside.map((l) => l.path)).size : inside.length);
  }
  return best;
}

/**
 * Why a visitor's day of hits (sorted by time) makes it a bot by behaviour,
 * as docs/metrics.md says: robots.txt; a HEAD request without a referrer; a
 * scanner's path (not a page resource) answered 4xx, or a POST without a
 * referrer answered 404/405/418; a form posted 1–3 s after its page was
 * served; 10 or more form posts answered with a redirect within a minute; 60
 * or more different pages within a minute.
 */
const hasReferrer = (l: LogLine): boolean => /^[a-z][\w+.-]*:\/\/[^/?#\s]+/i.test(l.referrer);

export function behaviourOf(hits: LogLine[]): string | undefined {
  if (hits.some((h) => h.path === '/robots.txt')) return 'robots_txt';
  if (hits.some((h) => h.method === 'HEAD' && !hasReferrer(h))) return 'head_request';
  if (
    hits.some(
      (h) =>
        (h.status >= 400 && h.status < 500 && isProbePath(h.path)) ||
        (h.method === 'POST' && !hasReferrer(h) && [404, 405, 418].includes(h.status)),
    )
  )
    return 'probing';
  const pages = hits.filter(isPageview);
  const posts = hits.filter((h) => h.method === 'POST');
  if (posts.some((p) => pages.some((g) => g.path === p.path && p.ts - g.ts > 0 && p.ts - g.ts <= 3000))) return 'form_spam';
  if (
    mostInAMinute(
      posts.filter((p) => p.status >= 301 && p.status <= 303),
      false,
    ) >= 10
  )
    return 'form_flood';
  if (mostInAMinute(pages, true) >= 60) return 'request_rate';
  return undefined;
}

/** The visitors (visitorOf) found to be bots by behaviour, with the rule each met. */
export function botVisitors(lines: LogLine[]): Map<string, string> {
  const byVisitor = new Map<string, LogLine[]>();
  for (const l of lines) if (!userAgentVerdict(l.ua).bot) byVisitor.set(visitorOf(l), [...(byVisitor.get(visitorOf(l)) ?? []), l]);
  const out = new Map<string, string>();
  for (const [v, hits] of byVisitor) {
    const why = behaviourOf(hits.sort((a, b) => a.ts - b.ts || a.n - b.n));
    if (why) out.set(v, why);
  }
  return out;
}

/** The lines of people: neither a bot's user agent nor a visitor that behaved as a bot. */
export function humanLines(lines: LogLine[]): LogLine[] {
  const bots = botVisitors(lines);
  return lines.filter((l) => !userAgentVerdict(l.ua).bot && !bots.has(visitorOf(l)));
}

const NOT_A_PAGE =
  /\.(css|js|mjs|map|json|xml|txt|ico|png|jpe?g|gif|svg|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|pdf|zip|gz|tgz|bz2|xz|rar|7z|exe|dmg|iso|csv|rss|atom|wasm)$/i;

/** A page was shown: GET answered 2xx (not 204) or 304, for something that is not a file type of page resources. */
export const isPageview = (l: LogLine): boolean =>
  l.method === 'GET' &&
  ((l.status >= 200 && l.status < 300 && l.status !== 204) || l.status === 304) &&
  l.path.startsWith('/') &&
  !NOT_A_PAGE.test(l.path);

export interface IndependentSession {
  visitor: string;
  start: number;
  last: number;
  hits: number;
  pageviews: number;
  entry: string;
}

/**
 * Sessions: a visitor is one user agent from one address on one UTC day (the
 * daily salt); a visitor's hits sorted by time (file order among equal times)
 * split where two are more than `timeoutMs` apart. Entry: the first pageview.
 */
export function sessionsOf(lines: LogLine[], timeoutMs = 30 * 60_000): IndependentSession[] {
  const byVisitor = new Map<string, LogLine[]>();
  for (const l of humanLines(lines)) {
    const visitor = visitorOf(l);
    byVisitor.set(visitor, [...(byVisitor.get(visitor) ?? []), l]);
  }
  const sessions: IndependentSession[] = [];
  for (const [visitor, hits] of byVisitor) {
    hits.sort((a, b) => a.ts - b.ts || a.n - b.n);
    let current: LogLine[] = [];
    const close = () => {
      if (current.length === 0) return;
      const pages = current.filter(isPageview);
      sessions.push({
        visitor,
        start: current[0]!.ts,
        last: current.at(-1)!.ts,
        hits: current.length,
        pageviews: pages.length,
        entry: pages[0]?.path ?? current[0]!.path,
      });
    };
    for (const h of hits) {
      if (current.length && h.ts - current.at(-1)!.ts > timeoutMs) {
        close();
        current = [];
      }
      current.push(h);
    }
    close();
  }
  return sessions;
}

/** The headline visit figures of docs/metrics.md, from sessions. */
export function visitFigures(sessions: IndependentSession[]) {
  const visits = sessions.filter((s) => s.pageviews > 0);
  const entryPages: Record<string, number> = {};
  for (const v of visits) entryPages[v.entry] = (entryPages[v.entry] ?? 0) + 1;
  return {
    visits: visits.length,
    visitors: new Set(visits.map((v) => v.visitor)).size,
    // Logs carry no engagement: a bounce is a visit of one pageview; duration is last − first hit.
    bounceRate: visits.filter((v) => v.pageviews === 1).length / visits.length,
    avgDurationS: visits.reduce((n, v) => n + (v.last - v.start) / 1000, 0) / visits.length,
    nonPageSessions: sessions.length - visits.length,
    entryPages,
  };
}

/**
 * The lines in another order, each at most `windowMs` later than in time order:
 * sorted by time plus a random delay. Lines of the same second keep their
 * file order, so "first pageview" stays well defined.
 */
export function shuffleWithin<L extends Pick<LogLine, 'ts' | 'n'>>(lines: L[], windowMs: number, seed = 1): L[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const sorted = [...lines].sort((a, b) => a.ts - b.ts || a.n - b.n);
  const order = sorted
    .map((l) => ({ l, key: l.ts + random() * windowMs }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.l);
  // Put each second's lines back into the slots that second got, in file order.
  const slots = new Map<number, L[]>();
  for (const l of sorted) slots.set(l.ts, [...(slots.get(l.ts) ?? []), l]);
  const taken = new Map<number, number>();
  return order.map((l) => {
    const i = taken.get(l.ts) ?? 0;
    taken.set(l.ts, i + 1);
    return slots.get(l.ts)![i]!;
  });
}

/** The same lines `shiftMs` later: times rewritten (in UTC) in the text too. */
export const shiftLines = (lines: LogLine[], shiftMs: number): LogLine[] =>
  lines.map((l) => ({ ...l, ts: l.ts + shiftMs, raw: l.raw.replace(/\[[^\]]+\]/, `[${clfTime(l.ts + shiftMs)}]`) }));
