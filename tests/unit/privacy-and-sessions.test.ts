/** The privacy step, salts and sessionization — pure functions, plain data. */
import { describe, expect, it } from 'vitest';
import { emptyEvent, type Event } from '../../processor/event.ts';
import { protectPrivacy, visitorHash } from '../../processor/steps/protect-privacy.ts';
import { emptySessionState, sessionize, visitorKey, type SessionState } from '../../processor/batch/sessionize.ts';
import { sessionId, type Session } from '../../processor/batch/session.ts';
import { redactIps } from '../../common/redact-ips.ts';
import { processBatch } from '../../processor/batch/process-batch.ts';
import { logRecord } from '../helpers/hits.ts';

const MIN = 60_000;
const ev = (visitorId: string, ts: number, path = '/', isPageview = true): Event => ({
  ...emptyEvent('example.com', ts, 'log'),
  visitorId,
  path,
  isPageview,
  channel: 'direct',
});

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
    const line =
      '198.51.100.23 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"';
    const bot = '198.51.100.24 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "Googlebot/2.1"';
    const records = [line, bot, '198.51.100.25 broken'].map((l, i) => logRecord(l, i, { client: '203.0.113.1', position: `t:${i}` }));
    const out = processBatch(records, emptySessionState(), {
      saltFor: () => salt,
      sessionTimeoutMs: 30 * MIN,
      now: Date.now(),
      stream: 't',
    });
    expect([out.events.length, out.origins.botMinutes.flat().length, out.deadLetters.length]).toEqual([1, 1, 1]);
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
  const RULES = { timeoutMs: 30 * MIN, reorderMs: 5 * MIN };
  const run = (events: Event[], state: SessionState = emptySessionState()) => sessionize(state, events, RULES);
  const summary = (s: Session) => [s.visitorId, s.hits, s.pageviews, s.entry.path, s.exit.path, (s.last - s.start) / MIN];

  it('starts a new session after 30 minutes of inactivity, and counts time on site', () => {
    const events = [
      ev('1', T, '/a'),
      ev('1', T + 10 * MIN, '/b'),
      ev('1', T + 25 * MIN, '/c'),
      ev('1', T + 56 * MIN, '/d'),
      ev('2', T + 1 * MIN, '/x'),
    ].map((e, i) => ({ ...e, busOffset: i }));
    const { sessions } = run(events);
    expect(sessions.map(summary).sort()).toEqual([
      ['1', 1, 1, '/d', '/d', 0],
      ['1', 3, 3, '/a', '/c', 25],
      ['2', 1, 1, '/x', '/x', 0],
    ]);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(3);
  });

  it('continues a session across batches and gives the same ids when a batch is processed again', () => {
    const twice = () => {
      const state = emptySessionState();
      const first = [
        { ...ev('1', T), busOffset: 1 },
        { ...ev('1', T + MIN), busOffset: 2 },
      ];
      run(first, state);
      const second = [{ ...ev('1', T + 20 * MIN, '/late'), busOffset: 3 }];
      const {
        sessions: [s],
      } = run(second, state);
      return { ids: [...first, ...second].map((e) => e.sessionId), s };
    };
    const a = twice();
    const b = twice();
    expect(new Set(a.ids).size).toBe(1);
    expect(b.ids).toEqual(a.ids);
    expect(a.s).toMatchObject({ hits: 3, exit: { path: '/late' } });
  });

  it('skips hits the state already holds (a batch redelivered after a crash), counting each once', () => {
    const state = emptySessionState();
    const batch = () => [0, 1, 2].map((i) => ({ ...ev('1', T + i * MIN, `/${i}`), busOffset: 10 + i }));
    run(batch(), state);
    expect(run(batch(), state)).toEqual({ sessions: [], deleted: [], flagged: [], ownHosts: [] }); // same hits, same offsets
    const {
      sessions: [s],
    } = run([{ ...ev('1', T + 5 * MIN, '/3'), busOffset: 13 }], state);
    expect(s).toMatchObject({ hits: 4, pageviews: 4, lastOffset: 13, exit: { path: '/3' } });
  });

  it('moves a session start back for a late, earlier hit, and retires the id it was written under', () => {
    const state = emptySessionState();
    const {
      sessions: [before],
    } = run([{ ...ev('1', T + 5 * MIN, '/later'), busOffset: 1 }], state);
    const {
      sessions: [s],
      deleted,
    } = run([{ ...ev('1', T, '/earlier'), busOffset: 2 }], state);
    expect(s).toMatchObject({ start: T, last: T + 5 * MIN, hits: 2, entry: { path: '/earlier' }, exit: { path: '/later' } });
    expect(s!.id).toBe(sessionId('example.com', '1', T));
    expect(deleted).toEqual([{ session: s, id: before!.id, start: T + 5 * MIN }]);
    expect(s!.mergedIds).toEqual([before!.id]);
  });

  it('joins two sessions a late hit falls between, and forgets sessions the reorder window can no longer reach', () => {
    const state = emptySessionState();
    run(
      [
        { ...ev('1', T), busOffset: 1 },
        { ...ev('1', T + 32 * MIN), busOffset: 2 },
      ],
      state,
    );
    expect(state.byVisitor.get(visitorKey('example.com', '1'))).toHaveLength(2);
    // 4 minutes late (within the 5-minute window), and within 30 minutes of both.
    const { sessions, deleted } = run([{ ...ev('1', T + 28 * MIN, '/bridge'), busOffset: 3 }], state);
    expect(sessions.map(summary)).toEqual([['1', 3, 3, '/', '/', 32]]);
    expect(deleted.map((d) => d.start)).toEqual([T + 32 * MIN]);
    // The session's last hit is at 32: it ends at 62, and is held until the newest hit passes 67.
    run([{ ...ev('2', T + 67 * MIN), busOffset: 4 }], state);
    expect(state.byVisitor.has(visitorKey('example.com', '1'))).toBe(true);
    run([{ ...ev('2', T + 68 * MIN), busOffset: 5 }], state);
    expect(state.byVisitor.has(visitorKey('example.com', '1'))).toBe(false);
    // A hit later than the window starts a session of its own.
    const {
      sessions: [alone],
    } = run([{ ...ev('1', T + 40 * MIN, '/too-late'), busOffset: 6 }], state);
    expect(alone).toMatchObject({ start: T + 40 * MIN, hits: 1 });
  });

  it('gives the same sessions whatever order and batches the hits come in', () => {
    // A deterministic shuffle of 300 hits of 6 visitors over 4 hours, within the reorder window.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const hits = Array.from({ length: 300 }, (_, i) =>
      ev(String(i % 6), T + Math.floor(random() * 4 * 60) * MIN + i, `/${i % 9}`, i % 4 !== 0),
    );
    const sorted = [...hits].sort((a, b) => a.ts - b.ts);
    const shuffled = sorted
      .map((e) => ({ e, key: e.ts + random() * RULES.reorderMs }))
      .sort((a, b) => a.key - b.key)
      .map((x) => x.e);
    const final = (order: Event[], size: number) => {
      const state = emptySessionState();
      const rows = new Map<string, Session>();
      const events = order.map((e, i) => ({ ...e, busOffset: i }));
      for (let i = 0; i < events.length; i += size) {
        const { sessions, deleted } = run(events.slice(i, i + size), state);
        for (const d of deleted) rows.delete(d.id);
        for (const s of sessions) rows.set(s.id, s);
      }
      return [...rows.values()].map((s) => [s.id, s.hits, s.pageviews, s.start, s.last, s.entry.path, s.exit.path]).sort();
    };
    const reference = final(sorted, 300);
    expect(reference.length).toBeGreaterThan(6);
    // Entry and exit paths may differ only between hits of the same millisecond, which these have none of.
    expect(final(shuffled, 300)).toEqual(reference);
    expect(final(shuffled, 7)).toEqual(reference);
    expect(final(sorted, 1)).toEqual(reference);
  });
});

describe('twins: one pageview seen by the access log and the beacon', () => {
  const T = Date.UTC(2026, 10, 28, 9);
  const RULES = { timeoutMs: 30 * MIN, reorderMs: 5 * MIN };
  const hit = (source: Event['source'], ts: number, path: string, busOffset: number): Event => ({
    ...ev('1', ts, path),
    source,
    eventType: source === 'beacon' ? 'pageview' : 'request',
    busOffset,
  });
  const outcome = (events: Event[], batchSize = events.length) => {
    const state = emptySessionState();
    for (let i = 0; i < events.length; i += batchSize) sessionize(state, events.slice(i, i + batchSize), RULES);
    const [s] = [...state.byVisitor.values()].flat();
    return { pageviews: s!.pageviews, hits: s!.hits, twins: events.filter((e) => e.twin).map((e) => `${e.source} ${e.path}`) };
  };

  it('counts the pair once, whichever arrives first, in one batch or two', () => {
    expect(outcome([hit('log', T, '/a', 1), hit('beacon', T + 2000, '/a', 2)])).toEqual({ pageviews: 1, hits: 2, twins: ['beacon /a'] });
    expect(outcome([hit('beacon', T + 2000, '/a', 1), hit('log', T, '/a', 2)], 1)).toEqual({ pageviews: 1, hits: 2, twins: ['log /a'] });
  });

  it('pairs a hash route with the document the server sent, and each copy at most once', () => {
    expect(outcome([hit('log', T, '/', 1), hit('beacon', T + 1000, '/#/settings', 2)])).toMatchObject({
      pageviews: 1,
      twins: ['beacon /'],
    });
    expect(outcome([hit('log', T, '/a', 1), hit('log', T + 5000, '/a', 2), hit('beacon', T + 6000, '/a', 3)])).toMatchObject({
      pageviews: 2,
      twins: ['beacon /a'],
    });
  });

  it('pairs nothing across pages, sources of the same kind, more than 30 s apart, or later than the reorder window', () => {
    expect(outcome([hit('log', T, '/a', 1), hit('beacon', T + 1000, '/b', 2)]).twins).toEqual([]);
    expect(outcome([hit('beacon', T, '/a', 1), hit('beacon', T + 1000, '/a', 2)]).twins).toEqual([]);
    expect(outcome([hit('log', T, '/a', 1), hit('beacon', T + 31_000, '/a', 2)]).twins).toEqual([]);
    // The log copy arrives after 6 minutes of newer traffic: out of the window, it stays a pageview of its own.
    const late = [hit('beacon', T, '/a', 1), hit('beacon', T + 6 * MIN, '/b', 2), hit('log', T - 1000, '/a', 3)];
    expect(outcome(late, 1)).toMatchObject({ pageviews: 3, twins: [] });
  });
});

describe('own hosts, learned from how visitors move', () => {
  const T = Date.UTC(2026, 10, 28, 9);
  const RULES = { timeoutMs: 30 * MIN, reorderMs: 5 * MIN };
  const hit = (ts: number, path: string, referrer: string, busOffset: number): Event => {
    const url = referrer ? new URL(referrer) : undefined;
    return {
      ...ev('1', ts, path),
      referrer,
      referrerHost: url?.hostname.replace(/^www\./, '') ?? '',
      referrerPath: url?.pathname ?? '',
      channel: referrer ? 'referral' : 'direct',
      busOffset,
    };
  };

  it('takes a referrer naming the page the visitor just viewed for the site itself, from then on', () => {
    const state = emptySessionState();
    const events = [
      hit(T, '/docs/start', 'https://blog.example.net/post', 1), // a real referral
      hit(T + MIN, '/docs/next', 'https://mirror.example.org/docs/start', 2), // the page just viewed: the site's own host
      hit(T + 2 * MIN, '/other', 'https://mirror.example.org/somewhere', 3), // from then on, internal
    ];
    const { ownHosts, sessions } = sessionize(state, events, RULES);
    expect(ownHosts).toEqual([{ site: 'example.com', host: 'mirror.example.org' }]);
    expect(events.map((e) => e.channel)).toEqual(['referral', 'internal', 'internal']);
    expect(sessions[0]!.entry).toMatchObject({ channel: 'referral', referrerHost: 'blog.example.net' });
  });

  it('takes no evidence from "/", from a page viewed later, or from search engines', () => {
    const state = emptySessionState();
    const events = [
      hit(T, '/', '', 1),
      hit(T + MIN, '/a', 'https://news.example.net/', 2), // "/" is every engine's referrer
      hit(T + 2 * MIN, '/b', 'https://other.example.net/c', 3), // /c was not viewed (yet)
      hit(T + 3 * MIN, '/c', '', 4),
      { ...hit(T + 4 * MIN, '/d', 'https://www.google.com/c', 5), channel: 'search' },
    ];
    expect(sessionize(state, events, RULES).ownHosts).toEqual([]);
  });
});
