/**
 * The visitor's own address kept out of every other field (common/address-text.ts):
 * found in the forms a page or a log writes it, replaced by the collector
 * with its pseudonym before the bus (beacons and log lines), and masked by
 * the parse step in lines read straight from files (replay).
 */
import { describe, expect, it } from 'vitest';
import { replaceAddressText } from '../../common/address-text.ts';
import { beaconHit } from '../../common/hit.ts';
import { runPipeline } from '../../processor/pipeline.ts';
import { clfTime, TEST_SALT, testLogHit, testPseudonymiser } from '../helpers/hits.ts';

const NOW = Date.now();
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const p = testPseudonymiser();

describe('replaceAddressText', () => {
  // [what, client, text, text with the client's address replaced by "X"]
  it.each([
    ['a query parameter', '203.0.113.7', '/lookup?ip=203.0.113.7&x=1', '/lookup?ip=X&x=1'],
    ['percent-encoded neighbours', '203.0.113.7', '/q?s=%22203.0.113.7%22', '/q?s=%22X%22'],
    ["a sentence's full stop", '203.0.113.7', 'from 203.0.113.7.', 'from X.'],
    ['a port', '203.0.113.7', '?ip=203.0.113.7:51234&t=203.0.113.7%3A8080', '?ip=X:51234&t=X%3A8080'],
    ["a referrer's authority", '203.0.113.7', 'http://203.0.113.7:8080/', 'http://X:8080/'],
    [
      'in an encoded URL',
      '203.0.113.7',
      '?ref=http%3A%2F%2F203.0.113.7%3A8080%2F&v6=http%3A%2F%2F%5B%3A%3Affff%3A203.0.113.7%5D%2F',
      '?ref=http%3A%2F%2FX%3A8080%2F&v6=http%3A%2F%2F%5BX%5D%2F',
    ],
    ['a colon after', '203.0.113.7', 'seen 203.0.113.7: twice', 'seen X: twice'],
    ['the IPv4-mapped form, any case', '203.0.113.7', 'x=::ffff:203.0.113.7&y=::FFFF:203.0.113.7', 'x=X&y=X'],
    [
      'the IPv4-mapped form in hex, in full, encoded',
      '203.0.113.7',
      '::ffff:cb00:7107 0:0:0:0:0:ffff:203.0.113.7 %3A%3Affff%3A203.0.113.7',
      'X X X',
    ],
    ['the IPv4-mapped form with a port, bracketed', '203.0.113.7', '::ffff:203.0.113.7:8080 [::ffff:203.0.113.7]:443', 'X:8080 [X]:443'],
    ['the IPv4 of an IPv4-mapped client', '::ffff:198.51.100.7', 'a=198.51.100.7&b=198.51.100.7:80&c=::ffff:c633:6407', 'a=X&b=X:80&c=X'],
    [
      'IPv6 padded or not, zeros compressed or not',
      '2001:db8::1',
      '2001:0db8::1 2001:db8:0:0::1 2001:0db8:0000:0000:0000:0000:0000:0001 2001:db8:0:0:0:0:0:1',
      'X X X X',
    ],
    ['IPv6 in any case, with an IPv4 tail', '2001:db8::1', '2001:DB8::1 2001:db8::0.0.0.1', 'X X'],
    ['IPv6 percent-encoded, either case', '2001:db8::1', '?a=2001%3adb8%3A%3A1&b=2001%3A0DB8%3a0%3a%3a1', '?a=X&b=X'],
    ['IPv6 followed by a colon, bracketed with a port', '2001:db8::1', 'x=2001:db8::1: [2001:db8::1]:8080', 'x=X: [X]:8080'],
    ["IPv6 before a full stop, and a client's compressed form from a full one", '2001:0db8:0:0:0:0:0:1', 'from 2001:db8::1.', 'from X.'],
  ])('finds the address: %s', (_what, client, text, want) => {
    expect(replaceAddressText(text, client, 'X')).toBe(want);
  });

  // Text that is not the client's address stays as it is: [what, client, text].
  it.each([
    ['longer numbers and addresses', '203.0.113.7', '1203.0.113.7 203.0.113.70 2203.0.113.7:80'],
    ['a version number', '1.2.3.4', 'v=1.2.3.4.5 1.2.3.4.5.6 0.1.2.3.4'],
    ['a version number ending in it', '2.3.4.5', 'v=1.2.3.4.5'],
    ['part of a word', '203.0.113.7', 'v203.0.113.7 x203.0.113.7 203.0.113.7x 203.0.113.7_a 203.0.113.7.x 203.0.113.7.5'],
    [
      'another IPv6 address holding its IPv4',
      '203.0.113.7',
      '::1:203.0.113.7 64:ff9b::203.0.113.7 ::ffff:203.0.113.70 ::ffff:1:203.0.113.7',
    ],
    ['an address with leading zeros', '203.0.113.7', '203.000.113.007 203.0.113.07'],
    [
      'another IPv6 address holding it',
      '2001:db8::1',
      '2001:db8::1:80 2001:db8::10 12001:db8::1 2001:db8::1::1 2001:db8:1::1 2001:db8::1.5',
    ],
    ['IPv6 inside a word', '2001:db8::1', 'x2001:db8::1 2001:db8::1g 2001:db8::1_'],
    ['times', '10.0.0.0', 'at 10:00:00, 10:00:00.123 and 10:00'],
    ['times with an IPv6 client', '10::', 'at 10:00:00 or 10:0:0:0'],
    ['a client that is not an address', '~pseudonym', 'ip=~pseudonym'],
  ])('leaves as it is: %s', (_what, client, text) => {
    expect(replaceAddressText(text, client, 'X')).toBe(text);
  });
});

describe('the collector', () => {
  it("makes the browser's address its pseudonym in a beacon's url, referrer, props (keys too) and user agent", () => {
    for (const client of ['203.0.113.7', '2001:db8::7', '::ffff:198.51.100.7']) {
      const shown = client.replace('::ffff:', '');
      const hit = beaconHit(
        's.test',
        {
          url: `https://s.test/lookup?ip=${shown}`,
          referrer: `https://r.test/?from=${encodeURIComponent(shown)}`,
          props: { [shown]: `is ${shown}` },
        },
        { receivedAt: NOW, client, headers: { userAgent: `${UA} (${shown})` } },
      );
      const out = p.hit(hit);
      const ps = p.address(client);
      expect(out).toMatchObject({
        client: ps,
        headers: { userAgent: `${UA} (${ps})` },
        payload: { url: `https://s.test/lookup?ip=${ps}`, referrer: `https://r.test/?from=${ps}`, props: { [ps]: `is ${ps}` } },
      });
      expect(JSON.stringify(out)).not.toContain(shown);
    }
  });

  it("makes the visitor's address its pseudonym wherever it stands in an nginx JSON line, bare or in an envelope", () => {
    const addr = '2001:db8:77::77';
    const line = JSON.stringify({
      msec: '1',
      remote_addr: addr,
      request_uri: '/lookup?ip=2001%3Adb8%3A77%3A%3A77',
      http_referer: `https://r.test/?ip=${addr}`,
    });
    const ps = p.address(addr);
    const want = JSON.stringify({ msec: '1', remote_addr: ps, request_uri: `/lookup?ip=${ps}`, http_referer: `https://r.test/?ip=${ps}` });
    expect(p.line(line)).toBe(want);
    expect(JSON.parse(p.line(JSON.stringify({ message: line, host: 'h' })))).toEqual({ message: want, host: 'h' });
  });

  it('still does so in a combined line (as it did before)', () => {
    const line = `198.51.100.7 - - [${clfTime(NOW)}] "GET /l?ip=198.51.100.7 HTTP/1.1" 200 5 "https://r.test/?a=198.51.100.7" "${UA}"`;
    const ps = p.address('198.51.100.7');
    expect(p.line(line)).toBe(`${ps} - - [${clfTime(NOW)}] "GET /l?ip=${ps} HTTP/1.1" 200 5 "https://r.test/?a=${ps}" "${UA}"`);
  });
});

describe('the parse step, for lines read straight from files', () => {
  const ctx = { saltFor: () => TEST_SALT };
  it("masks the visitor's address in path, query, referrer and user agent of combined and JSON lines", () => {
    const combined = `198.51.100.7 - - [${clfTime(NOW)}] "GET /ip/198.51.100.7?ip=198.51.100.7 HTTP/1.1" 200 5 "https://r.test/?a=198.51.100.7" "${UA} 198.51.100.7"`;
    expect(runPipeline(testLogHit(combined, { receivedAt: NOW }), ctx)).toMatchObject({
      ok: true,
      event: { path: '/ip/[ip]', query: 'ip=[ip]', referrer: 'https://r.test/?a=[ip]', userAgent: `${UA} [ip]` },
    });
    const json = JSON.stringify({
      msec: String(NOW / 1000),
      remote_addr: '2001:db8::7',
      request_method: 'GET',
      request_uri: '/l?ip=2001%3Adb8%3A%3A7',
      status: '200',
      http_referer: 'https://r.test/?ip=2001:db8::7',
      http_user_agent: UA,
    });
    expect(runPipeline(testLogHit(json, { receivedAt: NOW }), ctx)).toMatchObject({
      ok: true,
      event: { query: 'ip=[ip]', referrer: 'https://r.test/?ip=[ip]' },
    });
  });

  it('masks it in what a bot hit keeps too', () => {
    const line = `198.51.100.8 - - [${clfTime(NOW)}] "GET /ip/198.51.100.8 HTTP/1.1" 200 5 "-" "curl/8.0"`;
    expect(runPipeline(testLogHit(line, { receivedAt: NOW }), ctx)).toMatchObject({ ok: false, drop: 'bot', event: { path: '/ip/[ip]' } });
  });
});
