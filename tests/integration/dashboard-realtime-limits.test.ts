/**
 * What an attacker with a login found in the realtime stream (issue 25),
 * over a real HTTP server on the real engine, read by a real SSE client:
 * a stream ends promptly when its login is logged out, revoked or expires;
 * one login may open only so many streams, and one site have only so many
 * (429 with a JSON reason); a site nobody has data for opens none (404) and
 * starts no reader; and however many streams watch a site, the engine runs
 * one read per tick — counted by the engine itself (system.events,
 * SelectQuery: the embedded engine keeps no query_log).
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { serveDashboard } from '../helpers/serve-dashboard.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { SESSION_COOKIE, SESSION_TTL_MS, sessionSigner } from '../../dashboard/auth/session.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { LiveFeeds, readLive } from '../../dashboard/api/live-feed.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { chTime } from '../../clickhouse/time.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { migrate } from '../../clickhouse/migrate.ts';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import { openSse, type SseStream } from '../helpers/sse-stream.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const SITE = 'live.example';
const INTERVAL_MS = 150;
const PER_LOGIN = 3;
const PER_SITE = 5;
const signer = sessionSigner(Buffer.alloc(32, 9), 'pw');
let ch: ClickHouse;
let writer: ClickHouse;
let revoked: RevokedSessions;
let feeds: LiveFeeds;
let stopServer: (() => void) | undefined;
let base: string;

/** A new login: the Cookie header of a session issued at `now` (its expiry a week later). */
const login = (now = Date.now()) => `${SESSION_COOKIE}=${signer.issue(now)}`;
const open = (cookie: string, site = SITE) => openSse(`${base}/api/realtime?site=${site}`, { cookie });

/** SELECT queries the engine of this process has run so far (the measuring query itself counts one). */
async function selectsRun(): Promise<number> {
  const [row] = await rows<{ value: number }>(writer, "SELECT value FROM system.events WHERE event = 'SelectQuery'");
  return row!.value;
}

beforeAll(async () => {
  const dataDir = tempDir('realtime-limits');
  writer = await dataDirClickHouse(dataDir);
  await migrate(writer, { rawRetentionDays: 0 });
  ch = await dataDirClickHouse(dataDir);
  await insertRows(
    writer,
    'events',
    [
      {
        site: SITE,
        ts: chTime(Date.now() - 5000),
        source: 'beacon',
        event_type: 'pageview',
        event_name: '',
        is_pageview: 1,
        visitor_id: 1,
        session_id: '00000000-0000-4000-8000-000000000001',
        path: '/',
        channel: 'direct',
        referrer_host: '',
        country: 'DE',
        device_type: 'desktop',
        browser: 'Firefox',
      },
    ],
    'test:realtime-limits',
  );
  revoked = await RevokedSessions.open(tempDir('revoked'));
  feeds = new LiveFeeds(readLive(ch), INTERVAL_MS);
  ({ base, close: stopServer } = await serveDashboard({
    ch,
    passwordHash: await hashPassword('s3cret'),
    sessions: signer,
    revoked,
    liveFeeds: feeds,
    realtimeLimits: { perCredential: PER_LOGIN, perSite: PER_SITE },
  }));
});
afterAll(async () => {
  stopServer?.();
  await ch.close();
  await writer.close();
});

/** A refused open: its status, content type and JSON body (none, when it was a stream after all). */
async function refusal(s: SseStream) {
  const type = s.res.headers.get('content-type');
  const body = (type?.startsWith('application/json') ? await s.res.json() : { error: `a ${type} answer` }) as {
    error: string;
    message: string;
  };
  if (type?.startsWith('text/event-stream')) await s.close();
  return [s.res.status, type, body] as const;
}

describe('a realtime stream ends with its credential', () => {
  it('ends promptly, saying why, when its login logs out', async () => {
    const cookie = login();
    const stream = await open(cookie);
    await stream.next(0);
    const out = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin' }, redirect: 'manual' });
    expect(out.status).toBe(303);
    await within('the stream to end after the logout', stream.ended, 5_000);
    expect(stream.events.at(-1)).toEqual({ event: 'end', data: { reason: 'logged_out' } });
    // And it cannot be opened again with that cookie.
    const again = await open(cookie);
    expect((await refusal(again))[0]).toBe(401);
  });

  it("ends when its session is revoked elsewhere (a copy of the cookie logged out), and leaves other logins' streams alone", async () => {
    const [cookie, other] = [login(), login()];
    const [mine, theirs] = [await open(cookie), await open(other)];
    await Promise.all([mine.next(0), theirs.next(0)]);
    await revoked.revoke(signer.verify(cookie.slice(SESSION_COOKIE.length + 1))!);
    await within('the revoked stream to end', mine.ended, 5_000);
    expect(mine.events.at(-1)).toEqual({ event: 'end', data: { reason: 'logged_out' } });
    const seen = theirs.events.length;
    await theirs.next(seen + 2); // still streaming
    await theirs.close();
  });

  it('ends when its session expires', async () => {
    // Issued a week ago less two seconds: it expires two seconds from now.
    const stream = await open(login(Date.now() - SESSION_TTL_MS + 2_000));
    await stream.next(0);
    await within('the stream to end at the expiry', stream.ended, 10_000);
    expect(stream.events.at(-1)).toEqual({ event: 'end', data: { reason: 'expired' } });
  });
});

describe('realtime streams are capped', () => {
  it(`refuses the ${PER_LOGIN + 1}th stream of one login, and more than ${PER_SITE} on one site, with 429 and a JSON reason`, async () => {
    const [a, b, c] = [login(), login(), login()];
    const mine = [await open(a), await open(a), await open(a)];
    await Promise.all(mine.map((s) => s.next(0)));
    const [status, type, body] = await refusal(await open(a));
    expect([status, type, body.error]).toEqual([429, 'application/json; charset=utf-8', 'too_many_streams']);
    expect(body.message).toMatch(/already has 3 realtime streams open/);

    const theirs = [await open(b), await open(b)];
    await Promise.all(theirs.map((s) => s.next(0)));
    const site = await refusal(await open(c));
    expect([site[0], site[2].error]).toEqual([429, 'too_many_streams']);
    expect(site[2].message).toMatch(/live\.example already has 5 realtime streams open/);

    // A stream closed gives its place back.
    await mine[0]!.close();
    const c1 = await open(c);
    await c1.next(0);
    for (const s of [...mine.slice(1), ...theirs, c1]) await s.close();
  });
});

describe('one reader per site', () => {
  it('opens no stream and starts no reader for a site nobody has data for, and gives the place back', async () => {
    const a = login();
    for (const site of ['nobody.example', 'nobody-else.example', 'nor-this.example', 'nor-that.example']) {
      const [status, , body] = await refusal(await open(a, site));
      expect([site, status, body.error]).toEqual([site, 404, 'unknown_site']);
    }
    expect(feeds.stats.sites).toBe(0);
    // The refused opens hold no place: this login still opens its three.
    const kept = [await open(a), await open(a), await open(a)];
    await Promise.all(kept.map((s) => s.next(0)));
    expect(feeds.stats.sites).toBe(1);
    for (const s of kept) await s.close();
  });

  it('runs one read per tick for a site however many streams watch it, counted by the engine', async () => {
    const [a, b] = [login(), login()];
    const streams = [await open(a), await open(a), await open(a), await open(b), await open(b)];
    await Promise.all(streams.map((s) => s.next(0)));
    expect(feeds.stats.sites).toBe(1);
    const [selects0, seen0] = [await selectsRun(), streams.map((s) => s.events.length)];
    await streams[0]!.next(seen0[0]! + 6);
    const [selects1, seen1] = [await selectsRun(), streams.map((s) => s.events.length)];
    // The snapshots a stream received in between: one per read of its site. A read is two queries
    // (latest hits, current visitors); the read in flight at either end may count on one side only.
    // A reader per stream would run five times as many queries as any one stream receives snapshots.
    const received = Math.max(...seen1.map((n, i) => n - seen0[i]!));
    const queries = selects1 - selects0 - 1;
    expect(queries).toBeGreaterThanOrEqual(2 * (received - 1));
    expect(queries).toBeLessThanOrEqual(2 * (received + 2));
    // Every stream got the snapshots of those reads.
    for (const s of streams) await s.next(s.events.length);
    for (const s of streams) await s.close();
    await waitFor('the reader to stop', async () => (feeds.stats.sites === 0 ? true : undefined), 5_000);
  });
});
