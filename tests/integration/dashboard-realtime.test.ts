/**
 * The realtime view's stream (GET /api/realtime, Server-Sent Events) over a
 * real HTTP server on the real engine: behind the login like /api/stats, the
 * visitors of the last five minutes and the latest pageviews and events of
 * people — never bots', assets, addresses or visitor ids — a hit loaded after
 * the stream opened shows in it, one reader per site however many viewers,
 * and the reader (and a read in flight) stops when the last viewer goes away.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { serveDashboard } from '../helpers/serve-dashboard.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { sessionSigner } from '../../dashboard/auth/session.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { LiveFeeds, readLive, LIVE_HITS, type LiveSnapshot, type ReadLive } from '../../dashboard/api/live-feed.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { chTime } from '../../clickhouse/time.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { migrate } from '../../clickhouse/migrate.ts';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import { openSse } from '../helpers/sse-stream.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const TOKEN = 'realtime-test-token';
const SITE = 'live.example';
const INTERVAL_MS = 150;
// Two sessions of one engine, as in `scalehouse start`: the dashboard's reads run read-only, and the
// embedded engine keeps a session's settings, so hits are written through a session of their own.
let ch: ClickHouse;
let writer: ClickHouse;
let reads = 0;
let feeds: LiveFeeds;
let stopServer: (() => void) | undefined;
let base: string;

/** A person's hit, as the loader writes it (the columns the realtime view reads, and those that must never show). */
const hit = (ago: number, path: string, extra: Record<string, unknown> = {}) => ({
  site: SITE,
  ts: chTime(Date.now() - ago),
  source: 'beacon',
  event_type: 'pageview',
  event_name: '',
  is_pageview: 1,
  visitor_id: 1,
  session_id: randomUUID(),
  path,
  channel: 'search',
  referrer_host: 'duckduckgo.com',
  country: 'DE',
  device_type: 'desktop',
  browser: 'Firefox',
  ...extra,
});

beforeAll(async () => {
  const dataDir = tempDir('realtime');
  writer = await dataDirClickHouse(dataDir);
  await migrate(writer, { rawRetentionDays: 0 });
  ch = await dataDirClickHouse(dataDir);
  await insertRows(
    writer,
    'events',
    [
      hit(10_000, '/pricing'),
      hit(20_000, '/docs/Getting%20Started', {
        visitor_id: 2,
        channel: 'direct',
        referrer_host: '',
        device_type: 'mobile',
        browser: 'Mobile Safari',
        country: 'FR',
      }),
      hit(30_000, '/signup', { event_type: 'event', event_name: 'signup', is_pageview: 0 }),
      hit(40_000, '/app.css', { source: 'log', event_type: 'request', is_pageview: 0 }), // an asset: not shown
      hit(50_000, '/wp-login.php', { visitor_id: 99 }), // a visitor found to be a bot: not shown, not counted
      hit(8 * 60_000, '/earlier', { visitor_id: 3 }), // in the hour, not among the last five minutes' visitors
      hit(2 * 3_600_000, '/long-ago', { visitor_id: 4 }), // older than the hour shown
    ],
    'test:realtime',
  );
  await insertRows(
    writer,
    'bot_visitors',
    [
      {
        site: SITE,
        day: chTime(Date.now()).slice(0, 10),
        visitor_id: 99,
        flagged_ts: chTime(Date.now()),
        reason: 'probing',
        detail: '',
        bot_name: '',
        user_agent: '',
        stream: 's',
        bus_offset: 0,
        batch: 'b',
      },
    ],
    'test:realtime-bots',
  );
  const read = readLive(ch);
  feeds = new LiveFeeds((site, now, signal) => {
    reads++;
    return read(site, now, signal);
  }, INTERVAL_MS);
  ({ base, close: stopServer } = await serveDashboard({
    ch,
    passwordHash: await hashPassword('s3cret'),
    sessions: sessionSigner(Buffer.alloc(32, 7), 'pw'),
    revoked: await RevokedSessions.open(tempDir('revoked')),
    tokenDigests: [createHash('sha256').update(TOKEN).digest('hex')],
    liveFeeds: feeds,
  }));
});
afterAll(async () => {
  stopServer?.();
  await ch.close();
  await writer.close();
});

/** Opens the stream with the API token (tests/helpers/sse-stream.ts). */
const open = (site = SITE) => openSse(`${base}/api/realtime?site=${site}`, { authorization: `Bearer ${TOKEN}` });

describe('realtime stream', () => {
  it('is behind the login, as /api/stats and the batch are', async () => {
    for (const path of [`/api/realtime?site=${SITE}`, `/api/stats/batch?queries=overview&site=${SITE}`]) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.status, ((await res.json()) as { error: string }).error]).toEqual([path, 401, 'login_required']);
    }
    const batch = await fetch(`${base}/api/stats/batch?queries=overview&site=${SITE}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(batch.status).toBe(200);
    const bad = await fetch(`${base}/api/realtime?site=x'--`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([400, 'invalid_parameter']);
    const unknown = await fetch(`${base}/api/realtime?site=${SITE}&visitor=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(unknown.status).toBe(400);
  });

  it('streams the visitors of the last five minutes and the latest pageviews and events of people, and a hit loaded after it opened', async () => {
    const stream = await open();
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const first = (await stream.next(0)) as { event: string; data: LiveSnapshot };
    expect(first.event).toBe('snapshot');
    // The same count as the raw events: people with a pageview or a beacon message in the last five minutes.
    const [raw] = await rows<{ n: number }>(
      writer,
      `SELECT uniqExact(visitor_id) AS n FROM events WHERE site = {s:String} AND ts >= now64(3) - INTERVAL 5 MINUTE
      AND (is_pageview = 1 OR source = 'beacon') AND visitor_id NOT IN (SELECT visitor_id FROM bot_visitors)`,
      { s: SITE },
    );
    expect(first.data.visitors).toBe(raw!.n);
    expect(first.data.visitors).toBe(2);
    expect(first.data.hits.map((h) => [h.path, h.event, h.channel, h.referrer, h.country, h.device, h.browser])).toEqual([
      ['/pricing', '', 'search', 'duckduckgo.com', 'DE', 'desktop', 'Firefox'],
      ['/docs/Getting%20Started', '', 'direct', '', 'FR', 'mobile', 'Mobile Safari'],
      ['/signup', 'signup', 'search', 'duckduckgo.com', 'DE', 'desktop', 'Firefox'],
      ['/earlier', '', 'search', 'duckduckgo.com', 'DE', 'desktop', 'Firefox'],
    ]);
    // Nothing that identifies anyone: exactly these fields.
    for (const h of first.data.hits)
      expect(Object.keys(h).sort()).toEqual(['browser', 'channel', 'country', 'device', 'event', 'path', 'referrer', 't']);
    expect(first.data.hits.length).toBeLessThanOrEqual(LIVE_HITS);

    await insertRows(writer, 'events', [hit(0, '/just-now', { visitor_id: 5 })], 'test:realtime-later');
    const later = await waitFor(
      'the new hit in the stream',
      async () => stream.events.find((e) => e.data.hits?.[0]?.path === '/just-now'),
      10_000,
    );
    expect(later.data.visitors).toBe(3);
    await stream.close();
  });

  it('reads each site once however many watch it, and stops reading (aborting a read in flight) when the last viewer goes away', async () => {
    const a = await open();
    const b = await open();
    await Promise.all([a.next(0), b.next(0)]);
    expect(feeds.stats.sites).toBe(1);
    // Two viewers, one reader: about one read per interval, not two.
    const [r0, t0] = [reads, Date.now()];
    await b.next(b.events.length + 3);
    expect(reads - r0).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / INTERVAL_MS) + 1);
    await a.close();
    const more = b.events.length;
    await b.next(more); // the other still gets snapshots
    await b.close();
    await waitFor('the reader to stop', async () => (feeds.stats.sites === 0 ? true : undefined), 5_000);
    const stopped = reads;
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 5)); // the absence of reads needs some time to show
    expect(reads).toBe(stopped);

    // A read that would never end is aborted when its last viewer leaves.
    let signal: AbortSignal | undefined;
    const stuck = new LiveFeeds(
      ((_site, _now, s) => {
        signal = s;
        return new Promise((_, reject) => s.addEventListener('abort', () => reject(new Error('aborted'))));
      }) as ReadLive,
      INTERVAL_MS,
    );
    const leave = stuck.subscribe(SITE, () => undefined);
    await waitFor('the read to start', async () => signal);
    leave();
    expect(signal!.aborted).toBe(true);
    expect(stuck.stats.sites).toBe(0);
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 3)); // no read after it, as above
    expect(stuck.stats.reads).toBe(1);
  });
});
