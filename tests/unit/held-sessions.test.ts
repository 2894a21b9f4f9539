/**
 * Held sessions packed between batches (processor/batch/held-sessions.ts):
 * what is stored reads back exactly as session.ts made it, whatever it holds,
 * and nothing stays behind once a session is gone.
 */
import { describe, expect, it } from 'vitest';
import { HeldSessions } from '../../processor/batch/held-sessions.ts';
import { sessionId, type Session } from '../../processor/batch/session.ts';
import { EVIDENCE_CAP } from '../../processor/bots/behaviour.ts';
import { UNPAIRED_CAP } from '../../processor/batch/twins.ts';

const T = Date.UTC(2026, 11, 2, 10);

/** A session as sessionize holds it between batches: written once, under the id it has. */
function session(visitorId: string, start: number, over: Partial<Session> = {}): Session {
  const id = sessionId('example.com', visitorId, start);
  return {
    id,
    site: 'example.com',
    visitorId,
    start,
    last: start + 90_000,
    hits: 3,
    pageviews: 2,
    events: 1,
    engagedMs: 12_345,
    entry: {
      ts: start,
      offset: 17,
      page: true,
      path: '/docs/getting-started',
      referrerHost: 'news.ycombinator.com',
      channel: 'social',
      utmSource: 'newsletter',
      utmMedium: 'email',
      utmCampaign: 'december',
      browser: 'Firefox',
      os: 'Linux',
      deviceType: 'desktop',
      country: 'DE',
    },
    exit: { ts: start + 90_000, offset: 19, path: '/pricing' },
    lastOffset: 19,
    written: [{ id, start }],
    mergedIds: [],
    unpaired: [{ path: '/pricing', ts: start + 90_000, source: 'log' }],
    recent: [
      { ts: start, kind: 'page', path: '/docs/getting-started' },
      { ts: start + 60_000, kind: 'redirected_post', path: '/contact' },
    ],
    ...over,
  };
}

describe('held sessions', () => {
  it.each<[string, Session]>([
    ['an ordinary visit', session('12345678901234567890', T)],
    [
      'one without a pageview, empty strings, offsets past 2^32, a visitor id that is not a number as toString writes it',
      session('007', T, {
        pageviews: 0,
        entry: { ...session('007', T).entry, page: false, path: '', referrerHost: '', utmSource: '', country: '' },
        exit: { ts: -Infinity, offset: -1, path: '' },
        lastOffset: 2 ** 53 - 1,
        unpaired: [],
        recent: [],
      }),
    ],
    [
      'one with earlier ids, times before its start and between milliseconds, paths in any script, both lists full',
      session('18446744073709551615', T, {
        mergedIds: [sessionId('example.com', '18446744073709551615', T + 5), sessionId('example.com', 'x', 1)],
        unpaired: [
          { path: '/größe/日本', ts: T - 4_000, source: 'beacon' },
          { path: '/a', ts: T + 0.5, source: 'log' },
          ...Array.from({ length: UNPAIRED_CAP - 2 }, (_, i) => ({ path: `/p${i}`, ts: T + i * 1_000_000, source: 'log' as const })),
        ],
        recent: Array.from({ length: EVIDENCE_CAP }, (_, i) => ({ ts: T + 2 ** 40 + i, kind: 'post' as const, path: `/f${i % 3}` })),
      }),
    ],
  ])('read back exactly as stored: %s', (_name, s) => {
    const held = new HeldSessions();
    held.set('example.com|v', [s]);
    expect(held.get('example.com|v')).toEqual([s]);
    // Rows are written from the objects read back: the same JSON, key for key.
    expect(JSON.stringify(held.get('example.com|v'))).toBe(JSON.stringify([s]));
  });

  it("keep a visitor's sessions by start however they are added, and changes to what is read do not change what is held", () => {
    const held = new HeldSessions();
    for (const start of [T + 3 * 3_600_000, T, T + 3_600_000]) held.add('example.com|1', session('1', start));
    expect(held.get('example.com|1')!.map((s) => s.start)).toEqual([T, T + 3_600_000, T + 3 * 3_600_000]);
    held.get('example.com|1')![0]!.hits = 99;
    expect(held.get('example.com|1')![0]!.hits).toBe(3);
    expect([held.size, held.has('example.com|1'), held.has('example.com|2')]).toEqual([1, true, false]);
  });

  it('forget sessions that ended before the horizon, their visitors and every string only they held', () => {
    const held = new HeldSessions();
    held.set('example.com|1', [session('1', T), session('1', T + 3_600_000, { entry: { ...session('1', T).entry, path: '/only-here' } })]);
    held.set('example.com|2', [session('2', T)]);
    const strings = held.strings;
    held.dropEndedBefore(T + 3_600_000);
    expect([...held.keys()]).toEqual(['example.com|1']);
    expect(held.get('example.com|1')!.map((s) => s.start)).toEqual([T + 3_600_000]);
    expect(held.strings).toBe(strings);
    held.set('example.com|1', [session('1', T + 3_600_000)]);
    expect(held.strings).toBe(strings - 1); // '/only-here'
    held.dropEndedBefore(T + 24 * 3_600_000);
    expect([held.size, held.strings]).toEqual([0, 0]);
    // The slots are taken again, not added to.
    held.set('example.com|3', [session('3', T)]);
    expect(held.get('example.com|3')).toEqual([session('3', T)]);
  });
});
