/**
 * The embedded pipeline end to end, in one process as `scalehouse start` runs
 * it: HTTP → local bus on disk → processor → real ClickHouse engine.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { loadConfig } from '../../common/config.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
let ch: ClickHouse;
let bus: LocalBus;
let app: ReturnType<typeof collectorApp>;

beforeAll(async () => {
  const dir = tempDir('pipeline');
  ch = await freshClickHouse();
  bus = await LocalBus.open({ dir: join(dir, 'bus') });
  await startProcessor({ bus, ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000, maxRecords: 100 });
  app = collectorApp({ config: loadConfig({ SITES: 'example.com' }), bus, ingestToken: 't', peerAddress: () => '198.51.100.77' });
});
afterAll(async () => {
  await bus.close();
  await ch.close();
});

const beacon = (payload: object, headers: Record<string, string> = {}) =>
  app.request('/api/event', {
    method: 'POST',
    body: JSON.stringify({ site: 'example.com', ...payload }),
    headers: { 'content-type': 'text/plain', 'user-agent': CHROME, ...headers },
  });

describe('beacon and log hits through the embedded pipeline', () => {
  it('loads enriched events, sessions and pipeline counts (an opted-out beacon is answered but never written)', async () => {
    const answers = await Promise.all([
      beacon(
        { url: 'https://example.com/pricing?utm_source=Newsletter&utm_medium=email&utm_campaign=nov', referrer: '', w: 1440 },
        { 'accept-language': 'de-CH,de;q=0.9' },
      ),
      beacon({ type: 'event', name: 'signup', url: 'https://example.com/pricing', props: { plan: 'pro', seats: 3 } }),
      beacon({ type: 'engagement', url: 'https://example.com/pricing', engaged_ms: 42_000 }),
      beacon({ url: 'https://example.com/private' }, { 'sec-gpc': '1' }),
      beacon({ url: 'https://example.com/' }, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }),
      beacon({ type: 'purchase', url: 'https://example.com/' }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);

    const json = JSON.stringify({
      msec: '1764320400.500',
      remote_addr: '192.0.2.10',
      host: 'example.com',
      request_method: 'GET',
      request_uri: '/docs/start',
      status: '200',
      body_bytes_sent: '2048',
      request_time: '0.120',
      upstream_response_time: '0.100',
      http_referer: 'https://duckduckgo.com/',
      http_user_agent: IPHONE,
    });
    const combined = `192.0.2.10 - - [28/Nov/2025:09:00:30 +0000] "GET /docs/next HTTP/1.1" 503 10 "https://example.com/docs/start" "${IPHONE}"`;
    const logs = await app.request('/api/logs?site=example.com', {
      method: 'POST',
      body: [json, combined, 'garbage'].join('\n'),
      headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
    });
    expect(logs.status).toBe(202);

    await waitFor('the pipeline to drain', async () => (bus.stats().lag === 0 ? true : undefined));
    const events = await rows(
      ch,
      `SELECT source, event_type, event_name, is_pageview, path, query, status, bytes, request_time_ms, upstream_time_ms,
      referrer_host, channel, utm_source, utm_medium, utm_campaign, browser, os, device_type, language, screen_width, engaged_ms, props
      FROM events ORDER BY source, event_type, ts`,
    );
    expect(events).toEqual([
      expect.objectContaining({
        source: 'log',
        event_type: 'request',
        is_pageview: 1,
        path: '/docs/start',
        status: 200,
        bytes: 2048,
        request_time_ms: 120,
        upstream_time_ms: 100,
        referrer_host: 'duckduckgo.com',
        channel: 'search',
        browser: 'Mobile Safari',
        os: 'iOS',
        device_type: 'mobile',
      }),
      expect.objectContaining({
        source: 'log',
        is_pageview: 0,
        path: '/docs/next',
        status: 503,
        referrer_host: 'example.com',
        channel: 'internal',
      }),
      expect.objectContaining({ source: 'beacon', event_type: 'engagement', is_pageview: 0, engaged_ms: 42_000 }),
      expect.objectContaining({ source: 'beacon', event_type: 'event', event_name: 'signup', props: { plan: 'pro', seats: '3' } }),
      expect.objectContaining({
        source: 'beacon',
        event_type: 'pageview',
        is_pageview: 1,
        path: '/pricing',
        query: 'utm_source=Newsletter&utm_medium=email&utm_campaign=nov',
        channel: 'email',
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'nov',
        browser: 'Chrome',
        os: 'Windows',
        device_type: 'desktop',
        language: 'de-CH',
        screen_width: 1440,
      }),
    ]);
    expect(events).toHaveLength(5);

    // The three beacons of one visitor form one session; the two log hits of another, a second.
    const sessions = await rows(ch, 'SELECT hits, pageviews, entry_path, channel, device_type FROM sessions FINAL ORDER BY hits');
    expect(sessions).toEqual([
      { hits: 2, pageviews: 1, entry_path: '/docs/start', channel: 'search', device_type: 'mobile' },
      { hits: 3, pageviews: 1, entry_path: '/pricing', channel: 'email', device_type: 'desktop' },
    ]);

    const stats = await rows(
      ch,
      'SELECT outcome, reason, sum(count) AS n FROM pipeline_stats GROUP BY outcome, reason ORDER BY outcome, reason',
    );
    expect(stats).toEqual([
      { outcome: 'dead_letter', reason: 'invalid_beacon', n: 1 },
      { outcome: 'dead_letter', reason: 'unrecognised_line', n: 1 },
      { outcome: 'dropped', reason: 'bot', n: 1 },
      { outcome: 'event', reason: '', n: 5 },
    ]);
    const [bot] = await rows(ch, 'SELECT bot_name, reason, source FROM bots_minute');
    expect(bot).toEqual({ bot_name: 'Googlebot', reason: 'user_agent_pattern', source: 'beacon' });
  });

  it('serves the beacon script', async () => {
    const res = await app.request('/scalehouse.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(await res.text()).toContain('sendBeacon');
  });
});

describe('HTTP shipping as Vector and Fluent Bit send it', () => {
  it('loads NDJSON records with the line in "message" (Vector) or "log" (Fluent Bit), and Fluent Bit\'s JSON arrays', async () => {
    const line = (path: string) => `203.0.113.50 - - [28/Nov/2026:11:00:00 +0000] "GET ${path} HTTP/1.1" 200 99 "-" "${CHROME}"`;
    const post = (body: string, type: string) =>
      app.request('/api/logs?site=example.com', { method: 'POST', body, headers: { 'content-type': type, authorization: 'Bearer t' } });
    // Vector: http sink, encoding.codec = "json", framing.method = "newline_delimited".
    expect(
      (
        await post(
          [
            JSON.stringify({ message: line('/vector/1'), host: 'web1', timestamp: '2026-11-28T11:00:00Z' }),
            JSON.stringify({ message: line('/vector/2') }),
          ].join('\n'),
          'application/x-ndjson',
        )
      ).status,
    ).toBe(202);
    // Fluent Bit: http output, format json_lines, and format json (an array with a "date").
    expect((await post(JSON.stringify({ date: 1764327600.1, log: line('/fluentbit/lines') }) + '\n', 'application/json')).status).toBe(202);
    expect((await post(JSON.stringify([{ date: 1764327600.2, log: line('/fluentbit/array') }]), 'application/json')).status).toBe(202);
    await waitFor('the shipped lines', async () => (bus.stats().lag === 0 ? true : undefined));
    expect(
      await rows(ch, "SELECT path, status, bytes FROM events WHERE path LIKE '/vector/%' OR path LIKE '/fluentbit/%' ORDER BY path"),
    ).toEqual([
      { path: '/fluentbit/array', status: 200, bytes: 99 },
      { path: '/fluentbit/lines', status: 200, bytes: 99 },
      { path: '/vector/1', status: 200, bytes: 99 },
      { path: '/vector/2', status: 200, bytes: 99 },
    ]);
  });
});
