/** State that processors share through ClickHouse: daily salts, open sessions and the sites' host names. */
import { describe, expect, it } from 'vitest';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { restoreSessions } from '../../processor/state/session-store.ts';
import { HostStore } from '../../processor/state/host-store.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { processBatch } from '../../processor/batch/process-batch.ts';
import { loadBatch } from '../../processor/load/load-batch.ts';
import { clfTime, logRecord, TODAY } from '../helpers/hits.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { emptySessionState, type SessionState } from '../../processor/batch/sessionize.ts';

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('salt store', () => {
  it("makes today's and tomorrow's salts once, shares them between processors, and destroys old ones", async () => {
    const ch = await freshClickHouse();
    // The table's TTL runs on the real clock: the days must be current, or ClickHouse expires them at once.
    let now = TODAY + 12 * 3_600_000;
    const [d0, d1] = [dayOf(now), dayOf(now + DAY)];
    const a = new SaltStore(ch, () => now);
    const b = new SaltStore(ch, () => now);
    await a.refresh();
    await b.refresh();
    expect(a.saltFor(d0).equals(b.saltFor(d0))).toBe(true);
    expect(a.saltFor(d1).equals(b.saltFor(d1))).toBe(true);
    expect(a.saltFor(d0).equals(a.saltFor(d1))).toBe(false);
    expect(a.saltFor(d0).length).toBe(32);
    // Yesterday's late hits hash alike in every process (a batch done again after a crash makes the same ids)…
    const yesterday = dayOf(now - DAY);
    expect(a.saltFor(yesterday).equals(b.saltFor(yesterday))).toBe(true);
    // …while history beyond the days kept gets a salt of this process only, never written down.
    expect(a.saltFor('2019-01-01').equals(b.saltFor('2019-01-01'))).toBe(false);
    expect(await rows(ch, 'SELECT toString(day) AS day, count() AS n FROM visitor_salts GROUP BY day ORDER BY day')).toEqual([
      { day: dayOf(now - 2 * DAY), n: 1 },
      { day: yesterday, n: 1 },
      { day: d0, n: 1 },
      { day: d1, n: 1 },
    ]);

    now += 3 * DAY;
    await a.refresh(true);
    expect(
      (await rows<{ day: string }>(ch, 'SELECT DISTINCT toString(day) AS day FROM visitor_salts ORDER BY day')).map((r) => r.day),
    ).toEqual([dayOf(now - 2 * DAY), dayOf(now - DAY), dayOf(now), dayOf(now + DAY)]); // d0 is gone, d1 (two days old) is kept
    // Destroyed by dropping partitions, never by a DELETE: a mutation's files break the table if the disk fills.
    expect(await rows(ch, 'SELECT count() AS n FROM system.mutations WHERE database = currentDatabase()')).toEqual([{ n: 0 }]);
    await ch.close();
  });
});

describe('session restore', () => {
  it("restores a stream's open sessions from the sessions table, with the offset last applied", async () => {
    const ch = await freshClickHouse();
    const salts = new SaltStore(ch);
    await salts.refresh();
    const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
    const line = (ip: string, min: number, path: string) =>
      `${ip} - - [28/Nov/2026:10:${String(min).padStart(2, '0')}:00 +0000] "GET ${path} HTTP/1.1" 200 1 "-" "${UA}"`;
    const records = [
      line('192.0.2.1', 0, '/a'),
      line('192.0.2.1', 5, '/b'),
      line('192.0.2.2', 1, '/x'),
      line('192.0.2.3', 59, '/late'),
    ].map((l, i) => logRecord(l, 100 + i, { position: `p@${i}` }));
    const out = processBatch(records, emptySessionState(), {
      saltFor: salts.saltFor,
      sessionTimeoutMs: 30 * 60_000,
      now: Date.now(),
      stream: 'hits:0',
    });
    await loadBatch(ch, out, records, 'test-batch', Date.now());
    const held = (state: SessionState) =>
      [...state.byVisitor.values()]
        .flat()
        .map((s) => [s.entry.path, s.exit.path, s.hits, s.lastOffset])
        .sort();

    // Newest hit 10:59. With a 30-minute timeout and a 5-minute reorder window, sessions that
    // ended before 10:24 are out of reach: 192.0.2.1 (10:05) and .2 (10:01) are not restored…
    const rules = { timeoutMs: 30 * 60_000, reorderMs: 5 * 60_000 };
    expect(held(await restoreSessions(ch, 'hits:0', 1000, rules))).toEqual([['/late', '/late', 1, 103]]);
    // …unless the batch about to be processed starts at or before their last offset (it may be a redelivery):
    // then the stream's time is that before the batch (10:05, the newest hit of the sessions it did not touch),
    // and what a processor held then is restored (192.0.2.1), as well as what the batch touched.
    const redo = await restoreSessions(ch, 'hits:0', 102, rules);
    expect(held(redo)).toEqual([
      ['/a', '/b', 2, 101],
      ['/late', '/late', 1, 103],
      ['/x', '/x', 1, 102],
    ]);
    expect(redo.newest).toBe(Date.UTC(2026, 10, 28, 10, 5));
    const everything = await restoreSessions(ch, 'hits:0', 1000, { timeoutMs: 24 * 3_600_000, reorderMs: 0 });
    expect(held(everything)).toEqual([
      ['/a', '/b', 2, 101],
      ['/late', '/late', 1, 103],
      ['/x', '/x', 1, 102],
    ]);
    expect(everything.newest).toBe(Date.UTC(2026, 10, 28, 10, 59));
    expect(await restoreSessions(ch, 'hits:1', 0, rules)).toEqual(emptySessionState());
    await ch.close();
  });
});

describe('salt store under a race', () => {
  it("gives processors that make the same day's salt at the same moment one salt between them", async () => {
    const ch = await freshClickHouse();
    const now = TODAY + 12 * 3_600_000;
    const stores = Array.from({ length: 4 }, () => new SaltStore(ch, () => now));
    await Promise.all(stores.map((s) => s.refresh()));
    const salts = new Set(stores.map((s) => s.saltFor(dayOf(now)).toString('hex')));
    expect(salts.size).toBe(1);
    expect(await rows(ch, 'SELECT count() AS n FROM visitor_salts WHERE day = {day:Date}', { day: dayOf(now) })).toEqual([{ n: 1 }]);
    await ch.close();
  });
});

describe('site hosts', () => {
  it("makes referrals from the site's configured and learned host names internal, in every processor", async () => {
    const ch = await freshClickHouse();
    const salts = new SaltStore(ch);
    const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
    const t = (min: number) => clfTime(TODAY + 9 * 3_600_000 + min * 60_000);
    const combined = (ip: string, min: number, path: string, referrer: string) =>
      `${ip} - - [${t(min)}] "GET ${path} HTTP/1.1" 200 1 "${referrer}" "${UA}"`;
    // nginx's JSON format names the host the request was for: the site is reached as shop.example.net.
    const json = JSON.stringify({
      msec: String((TODAY + 9 * 3_600_000 + 60_000) / 1000),
      remote_addr: '192.0.2.9',
      host: 'shop.example.net',
      request_method: 'GET',
      request_uri: '/cart',
      status: '200',
      body_bytes_sent: '1',
      http_referer: '',
      http_user_agent: UA,
    });
    const lines = [
      combined('192.0.2.1', 0, '/a', 'https://example.org/from-configured'),
      json,
      combined('192.0.2.2', 2, '/b', 'https://shop.example.net/from-learned'),
      combined('192.0.2.3', 3, '/c', 'https://elsewhere.example/'),
      combined('192.0.2.4', 4, '/d', 'https://example.com/from-the-site-name'),
    ];
    const { handle } = createBatchHandler({
      ch,
      salts,
      sessionTimeoutMs: 30 * 60_000,
      hosts: new HostStore(ch, { 'example.com': ['example.org'] }),
    });
    await handle({ records: lines.map((l, i) => logRecord(l, i + 1)), token: 'hosts-1', stream: 's' });
    expect(await rows(ch, 'SELECT path, channel FROM events ORDER BY path')).toEqual([
      { path: '/a', channel: 'internal' },
      { path: '/b', channel: 'internal' },
      { path: '/c', channel: 'referral' },
      { path: '/cart', channel: 'direct' },
      { path: '/d', channel: 'internal' },
    ]);
    // Another processor, without SITE_HOSTS, knows the configured and the learned host from ClickHouse.
    const other = new HostStore(ch);
    await other.refresh();
    expect([...other.hostsOf('example.com')].sort()).toEqual(['example.com', 'example.org', 'shop.example.net']);
    // An internal referral says nothing about where a visit came from: the visit is direct.
    expect(
      await rows(ch, "SELECT entry_path, channel, referrer_host FROM sessions FINAL WHERE entry_path IN ('/a', '/b') ORDER BY entry_path"),
    ).toEqual([
      { entry_path: '/a', channel: 'direct', referrer_host: '' },
      { entry_path: '/b', channel: 'direct', referrer_host: '' },
    ]);
    await ch.close();
  });
});
