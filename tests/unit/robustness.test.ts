/** Hostile or broken hits become dead letters or sane values — never an exception. */
import { describe, expect, it } from 'vitest';
import { processBatch } from '../../processor/batch/process-batch.ts';
import { parseHit } from '../../processor/steps/parse.ts';
import { testLogHit } from '../helpers/hits.ts';
import { emptySessionState } from '../../processor/batch/sessionize.ts';
import { SiteHosts } from '../../processor/state/site-hosts.ts';
import { parseParams } from '../../dashboard/query/params.ts';
import { loadConfig } from '../../common/config.ts';

const record = (hit: unknown, i = 0) => ({ value: JSON.stringify(hit), position: `r@${i}`, offset: i });
const process = (...hits: unknown[]) =>
  processBatch(hits.map(record), emptySessionState(), {
    saltFor: () => Buffer.alloc(32),
    sessionTimeoutMs: 1_800_000,
    now: Date.now(),
    stream: 's',
  });
const logHit = (line: string) => testLogHit(line, { receivedAt: Date.now() });
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('robustness', () => {
  it('turns malformed hits into dead letters with reasons', () => {
    const out = process(
      {
        v: 1,
        kind: 'log',
        site: 'example.com',
        receivedAt: Date.now(),
        client: '',
        line: `192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "${UA}"`,
      }, // no headers: fine
      { v: 1, kind: 'beacon', site: 'example.com', receivedAt: 1e20, client: '', headers: {}, payload: { url: 'https://example.com/' } },
      {
        v: 1,
        kind: 'beacon',
        site: 'example.com',
        receivedAt: Date.now(),
        client: '',
        headers: 'nope',
        payload: { url: 'https://example.com/' },
      },
      { v: 1, kind: 'beacon', site: 'example.com', receivedAt: Date.now(), client: '', headers: {}, payload: [1] },
      logHit(JSON.stringify({ msec: '1e13', status: '200', http_user_agent: UA })),
      logHit(`192.0.2.1 - - [28/Nov/2031:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "${UA}"`), // in the future
      logHit(JSON.stringify({ time_iso8601: 'yesterday', status: '200' })),
    );
    expect(out.events).toHaveLength(1);
    expect(out.deadLetters.map((d) => d.reason)).toEqual([
      'invalid_hit',
      'invalid_hit',
      'invalid_hit',
      'invalid_timestamp',
      'invalid_timestamp',
      'invalid_timestamp',
    ]);
  });

  it('takes a site named like a property every object has ("constructor") as any other site', () => {
    // A valid host name; its lookup in the configured host table found Object's constructor, and every
    // batch holding such a hit threw, again and again: one beacon stopped the whole pipeline.
    const hosts = new SiteHosts({ 'example.com': ['example.org'] });
    const line = `192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 200 5 "https://constructor/" "${UA}"`;
    const out = processBatch(
      ['constructor', 'example.com'].map((site, i) => record(testLogHit(line, { site, receivedAt: Date.now() }), i)),
      emptySessionState(),
      {
        saltFor: () => Buffer.alloc(32),
        sessionTimeoutMs: 1_800_000,
        now: Date.now(),
        stream: 's',
        hostsOf: hosts.hostsOf,
        learnHost: hosts.learn,
      },
    );
    expect(out.events.map((e) => [e.site, e.channel])).toEqual([
      ['constructor', 'internal'],
      ['example.com', 'referral'],
    ]);
    expect([...hosts.hostsOf('constructor')]).toEqual(['constructor']);
    expect(loadConfig({ SYSLOG_SITES: 'nginx=example.com' }).SYSLOG_SITES).toEqual({ nginx: 'example.com' });
  });

  it('refuses query parameters named like built-in properties with a 400, not a 500', () => {
    for (const g of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => parseParams({ site: 'example.com', granularity: g }), g).toThrow(/granularity must be minute, hour, day or auto/);
    }
    expect(parseParams({ site: 'example.com', granularity: 'hour' }).bucket).toBe(3600);
  });

  it('keeps numbers within their columns: no negative, fractional or giant sizes and times', () => {
    const json = (f: Record<string, string>) => parseHit(logHit(JSON.stringify({ msec: '1764324000.000', status: '200', ...f })));
    expect(json({ body_bytes_sent: '-5', request_time: '-1' })).toMatchObject({ ok: true, event: { bytes: 0, requestTimeMs: 0 } });
    expect(json({ body_bytes_sent: '1.5', request_time: '99999999', upstream_response_time: '0.1, -, 0.2' })).toMatchObject({
      ok: true,
      event: { bytes: 2, requestTimeMs: 4_294_967_295, upstreamTimeMs: 300 },
    });
    expect(
      parseHit(logHit(`192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 99999999999999999999999 "-" "x"`)),
    ).toMatchObject({ ok: true, event: { bytes: Number.MAX_SAFE_INTEGER } });
  });
});
