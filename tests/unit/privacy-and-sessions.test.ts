/** The privacy step, salts and sessionization — pure functions, plain data. */
import { describe, expect, it } from 'vitest';
import { emptyEvent, type Event } from '../../processor/event.ts';
import { protectPrivacy, visitorHash } from '../../processor/steps/protect-privacy.ts';
import { sessionize, expireSessions, type SessionState } from '../../processor/batch/sessionize.ts';
import { redactIps } from '../../common/redact-ips.ts';
import { processBatch } from '../../processor/batch/process-batch.ts';
import { logRecord } from '../helpers/hits.ts';

const MIN = 60_000;
const ev = (visitorId: string, ts: number, path = '/', isPageview = true): Event =>
  ({ ...emptyEvent('example.com', ts, 'log'), visitorId, path, isPageview, channel: 'direct' });

describe('protect-privacy', () => {
  const salt = Buffer.alloc(32, 1);
  it('replaces the IP with a keyed hash that depends on salt, site, IP and user agent', () => {
    const base = visitorHash(salt, 'a.com', '1.2.3.4', 'UA');
    expect(base).toMatch(/^\d+$/);
    expect(visitorHash(salt, 'a.com', '1.2.3.4', 'UA')).toBe(base);
    expect(visitorHash(Buffer.alloc(32, 2), 'a.com', '1.2.3.4', 'UA')).not.toBe(base);
    expect(visitorHash(salt, 'b.com', '1.2.3.4', 'UA')).not.toBe(base);
    expect(visitorHash(salt, 'a.com', '1.2.3.5', 'UA')).not.toBe(base);
    expect(visitorHash(salt, 'a.com', '1.2.3.4', 'UA2')).not.toBe(base);
  });

  it('removes the client address, and drops visitors who opted out before hashing', () => {
    const e = { ...emptyEvent('a.com', 0, 'beacon'), client: '1.2.3.4' };
    const kept = protectPrivacy(e, () => salt, false);
    expect(kept.ok && kept.event.client).toBeUndefined();
    const opted = protectPrivacy({ ...emptyEvent('a.com', 0, 'beacon'), client: '1.2.3.4' }, () => salt, true);
    expect(opted).toMatchObject({ ok: false, drop: 'opted_out' });
    expect(JSON.stringify(opted)).not.toContain('1.2.3.4');
  });

  it('puts no IP address in any row of a processed batch', () => {
    const line = '198.51.100.23 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"';
    const bot = '198.51.100.24 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "Googlebot/2.1"';
    const records = [line, bot, '198.51.100.25 broken'].map((l, i) => logRecord(l, i, { client: '203.0.113.1', position: `t:${i}` }));
    const out = processBatch(records, new Map(), { saltFor: () => salt, sessionTimeoutMs: 30 * MIN, now: Date.now(), stream: 't' });
    expect([out.events.length, out.botHits.length, out.deadLetters.length]).toEqual([1, 1, 1]);
    expect(JSON.stringify(out)).not.toMatch(/198\.51\.100|203\.0\.113/);
  });

  it('masks IPv4 and IPv6 addresses in dead-letter text', () => {
    expect(redactIps('1.2.3.4 - x 2001:db8::1 and ::1 but not 12:30')).toBe('[ip] - x [ip] and [ip] but not 12:30');
    expect(redactIps('fe80:0:0:0:0:0:0:1 [28/Nov/2026:10:00:00 +0000] v1.2.3.4.5')).toBe('[ip] [28/Nov/2026:10:00:00 +0000] v1.2.3.4.5');
    expect(redactIps('from 1.2.3.4. Then 10.0.0.1, ok')).toBe('from [ip]. Then [ip], ok');
  });
});

describe('sessionize', () => {
  const T = Date.UTC(2026, 10, 28, 9);

  it('starts a new session after 30 minutes of inactivity, and counts time on site', () => {
    const state: SessionState = new Map();
    const events = [ev('1', T, '/a'), ev('1', T + 10 * MIN, '/b'), ev('1', T + 25 * MIN, '/c'), ev('1', T + 56 * MIN, '/d'), ev('2', T + 1 * MIN, '/x')]
      .map((e, i) => ({ ...e, busOffset: i }));
    const sessions = sessionize(state, events, 30 * MIN);
    expect(sessions.map((s) => [s.visitorId, s.hits, s.pageviews, s.entryPath, s.exitPath, (s.last - s.start) / MIN])).toEqual([
      ['1', 3, 3, '/a', '/c', 25],
      ['1', 1, 1, '/d', '/d', 0],
      ['2', 1, 1, '/x', '/x', 0],
    ]);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(3);
  });

  it('continues a session across batches and gives the same ids when a batch is processed again', () => {
    const run = () => {
      const state: SessionState = new Map();
      const first = [{ ...ev('1', T), busOffset: 1 }, { ...ev('1', T + MIN), busOffset: 2 }];
      sessionize(state, first, 30 * MIN);
      const second = [{ ...ev('1', T + 20 * MIN, '/late'), busOffset: 3 }];
      const [s] = sessionize(state, second, 30 * MIN);
      return { ids: [...first, ...second].map((e) => e.sessionId), s };
    };
    const a = run();
    const b = run();
    expect(new Set(a.ids).size).toBe(1);
    expect(b.ids).toEqual(a.ids);
    expect(a.s).toMatchObject({ hits: 3, exitPath: '/late' });
  });

  it('skips hits the state already holds (a batch redelivered after a crash), counting each once', () => {
    const state: SessionState = new Map();
    const batch = () => [0, 1, 2].map((i) => ({ ...ev('1', T + i * MIN, `/${i}`), busOffset: 10 + i }));
    sessionize(state, batch(), 30 * MIN);
    const again = sessionize(state, batch(), 30 * MIN); // same hits, same offsets
    expect(again).toEqual([]);
    const [s] = sessionize(state, [{ ...ev('1', T + 5 * MIN, '/3'), busOffset: 13 }], 30 * MIN);
    expect(s).toMatchObject({ hits: 4, pageviews: 4, lastOffset: 13, exitPath: '/3' });
  });

  it('keeps a session start fixed for an out-of-order hit, and forgets ended sessions', () => {
    const state: SessionState = new Map();
    sessionize(state, [{ ...ev('1', T + 5 * MIN), busOffset: 1 }], 30 * MIN);
    const [s] = sessionize(state, [{ ...ev('1', T, '/earlier'), busOffset: 2 }], 30 * MIN);
    expect(s).toMatchObject({ start: T + 5 * MIN, hits: 2 });
    expireSessions(state, T + 36 * MIN, 30 * MIN);
    expect(state.size).toBe(0);
  });
});
