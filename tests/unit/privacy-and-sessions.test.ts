/** The privacy step, salts and sessionization — pure functions, plain data. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyEvent, type Event } from '../../processor/event.ts';
import { protectPrivacy, visitorHash } from '../../processor/steps/protect-privacy.ts';
import { sessionize, expireSessions, type SessionState } from '../../processor/steps/sessionize.ts';
import { SaltStore } from '../../processor/salt-store.ts';
import { redactIps } from '../../processor/redact-ips.ts';
import { processBatch } from '../../processor/process-batch.ts';
import { HIT_VERSION } from '../../common/hit.ts';

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
    const records = [line, bot, '198.51.100.25 broken'].map((l, i) => ({
      value: JSON.stringify({ v: HIT_VERSION, kind: 'log', site: 'example.com', receivedAt: 0, client: '203.0.113.1', headers: {}, line: l }),
      position: `t:${i}`,
    }));
    const out = processBatch(records, new Map(), { saltFor: () => salt, sessionTimeoutMs: 30 * MIN, now: Date.now() });
    expect([out.events.length, out.botHits.length, out.deadLetters.length]).toEqual([1, 1, 1]);
    expect(JSON.stringify(out)).not.toMatch(/198\.51\.100|203\.0\.113/);
  });

  it('masks IPv4 and IPv6 addresses in dead-letter text', () => {
    expect(redactIps('1.2.3.4 - x 2001:db8::1 and ::1 but not 12:30')).toBe('[ip] - x [ip] and [ip] but not 12:30');
    expect(redactIps('fe80:0:0:0:0:0:0:1 [28/Nov/2026:10:00:00 +0000] v1.2.3.4.5')).toBe('[ip] [28/Nov/2026:10:00:00 +0000] v1.2.3.4.5');
  });
});

describe('salt store', () => {
  it('keeps salts for recent days on disk, destroys them after two days, never writes old days', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'salts-'));
    let now = Date.UTC(2026, 10, 28, 12);
    const store = new SaltStore(join(dir, 'salts.json'), () => now);
    const today = store.saltFor('2026-11-28');
    const history = store.saltFor('2019-01-01');
    expect(store.saltFor('2026-11-28')).toBe(today);
    expect(store.saltFor('2019-01-01')).toBe(history);
    await store.save();
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'salts.json'), 'utf8')))).toEqual(['2026-11-28']);
    expect(new SaltStore(join(dir, 'salts.json'), () => now).saltFor('2026-11-28').equals(today)).toBe(true);

    now += 3 * 86_400_000; // three days later the salt of the 28th is gone for good
    store.saltFor('2026-12-01');
    await store.save();
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'salts.json'), 'utf8')))).toEqual(['2026-12-01']);
    expect(existsSync(join(dir, 'salts.json.tmp'))).toBe(false);
  });
});

describe('sessionize', () => {
  const T = Date.UTC(2026, 10, 28, 9);

  it('starts a new session after 30 minutes of inactivity, and counts time on site', () => {
    const state: SessionState = new Map();
    const events = [ev('1', T, '/a'), ev('1', T + 10 * MIN, '/b'), ev('1', T + 25 * MIN, '/c'), ev('1', T + 56 * MIN, '/d'), ev('2', T + 1 * MIN, '/x')];
    const sessions = sessionize(state, events, 30 * MIN);
    expect(sessions.map((s) => [s.visitorId, s.hits, s.pageviews, s.entryPath, s.exitPath, (s.last - s.start) / MIN])).toEqual([
      ['1', 3, 3, '/a', '/c', 25],
      ['2', 1, 1, '/x', '/x', 0],
      ['1', 1, 1, '/d', '/d', 0],
    ]);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(3);
  });

  it('continues a session across batches and gives the same ids when a batch is processed again', () => {
    const run = () => {
      const state: SessionState = new Map();
      const first = [ev('1', T), ev('1', T + MIN)];
      sessionize(state, first, 30 * MIN);
      const second = [ev('1', T + 20 * MIN, '/late')];
      const [s] = sessionize(state, second, 30 * MIN);
      return { ids: [...first, ...second].map((e) => e.sessionId), s };
    };
    const a = run();
    const b = run();
    expect(new Set(a.ids).size).toBe(1);
    expect(b.ids).toEqual(a.ids);
    expect(a.s).toMatchObject({ hits: 3, exitPath: '/late' });
  });

  it('keeps a session start fixed for an out-of-order hit, and forgets ended sessions', () => {
    const state: SessionState = new Map();
    sessionize(state, [ev('1', T + 5 * MIN)], 30 * MIN);
    const [s] = sessionize(state, [ev('1', T, '/earlier')], 30 * MIN);
    expect(s).toMatchObject({ start: T + 5 * MIN, hits: 2 });
    expireSessions(state, T + 36 * MIN, 30 * MIN);
    expect(state.size).toBe(0);
  });
});
