/**
 * The visitor's own address kept out of every other field (common/address-text.ts):
 * found in the forms a page or a log writes it, replaced by the collector
 * with its pseudonym before the bus (beacons and log lines), and masked by
 * the parse step in lines read straight from files (replay).
 */
import { describe, expect, it } from 'vitest';
import { addressForms, replaceAddressText } from '../../common/address-text.ts';
import { beaconHit } from '../../common/hit.ts';
import { runPipeline } from '../../processor/pipeline.ts';
import { clfTime, TEST_SALT, testLogHit, testPseudonymiser } from '../helpers/hits.ts';

const NOW = Date.now();
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const p = testPseudonymiser();

describe('addressForms and replaceAddressText', () => {
  it('writes an IPv6 address compressed, in full and percent-encoded, and an IPv4-mapped one as its IPv4 too', () => {
    expect(addressForms('2001:DB8:77:0::77').sort()).toEqual(
      [
        '2001%3A0db8%3A0077%3A0000%3A0000%3A0000%3A0000%3A0077',
        '2001%3ADB8%3A77%3A0%3A%3A77',
        '2001%3Adb8%3A77%3A%3A77',
        '2001%3Adb8%3A77%3A0%3A0%3A0%3A0%3A77',
        '2001:0db8:0077:0000:0000:0000:0000:0077',
        '2001:DB8:77:0::77',
        '2001:db8:77::77',
        '2001:db8:77:0:0:0:0:77',
      ].sort(),
    );
    expect(addressForms('::ffff:203.0.113.7')).toContain('203.0.113.7');
    expect(addressForms('203.0.113.7')).toEqual(['203.0.113.7']);
    expect(addressForms('~pseudonym')).toEqual([]);
    expect(addressForms('-')).toEqual([]);
  });

  it.each([
    ['a query parameter', '/lookup?ip=203.0.113.7&x=1', '/lookup?ip=[ip]&x=1'],
    ['percent-encoded neighbours', '/q?s=%22203.0.113.7%22', '/q?s=%22[ip]%22'],
    ["a sentence's full stop", 'from 203.0.113.7.', 'from [ip].'],
    [
      'not inside a longer address or number',
      '1203.0.113.7 203.0.113.70 203.0.113.7.5 v203.0.113.7',
      '1203.0.113.7 203.0.113.70 203.0.113.7.5 v203.0.113.7',
    ],
  ])('IPv4 in %s', (_name, text, want) => {
    expect(replaceAddressText(text, '203.0.113.7', '[ip]')).toBe(want);
  });

  it('IPv6 in any case, form and encoding', () => {
    expect(
      replaceAddressText(
        '/l?a=2001:DB8:77::77&b=2001%3adb8%3a77%3a%3a77&c=2001:db8:77:0:0:0:0:77&d=2001:db8:77::778',
        '2001:db8:77::77',
        'X',
      ),
    ).toBe('/l?a=X&b=X&c=X&d=2001:db8:77::778');
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
