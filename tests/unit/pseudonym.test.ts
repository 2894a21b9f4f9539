/**
 * Client addresses become pseudonyms before a hit reaches the bus: in every
 * line shape Scalehouse reads, the address field (and its repeats) is
 * replaced and the rest of the line left exactly as it was; a line of no known
 * shape has every IP-shaped text masked.
 */
import { describe, expect, it } from 'vitest';
import { pseudonymiser } from '../../common/pseudonym.ts';
import { beaconHit } from '../../common/hit.ts';
import { parseHit } from '../../processor/steps/parse.ts';
import { testLogHit } from '../helpers/hits.ts';

const day1 = Buffer.alloc(32, 1);
const day2 = Buffer.alloc(32, 2);
let now = Date.UTC(2026, 10, 28, 12);
const p = pseudonymiser(
  (day) => (day === '2026-11-28' ? day1 : day2),
  () => now,
);
const A = '203.0.113.5';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const combined = (addr: string, tail = '') =>
  `${addr} - - [28/Nov/2026:10:00:00 +0000] "GET /x/203.0.113.55 HTTP/1.1" 200 5 "http://198.51.100.200/" "${UA}"${tail}`;

describe('pseudonyms', () => {
  it('are stable within a day, differ between addresses and between days, and look like no address', () => {
    const a = p.address(A);
    expect(a).toMatch(/^~[A-Za-z0-9_-]{22}$/);
    expect(p.address(A)).toBe(a);
    expect(p.address('203.0.113.6')).not.toBe(a);
    expect(p.address('2001:db8::1')).toMatch(/^~/);
    expect(p.address(a)).toBe(a); // already a pseudonym
    expect(p.address('')).toBe(''); // no address (a file read by tail)
    now += 86_400_000;
    expect(p.address(A)).not.toBe(a);
    now -= 86_400_000;
  });

  const cases: [string, string, string][] = [
    [
      'combined: the first field and its repeats; other addresses and look-alikes stay',
      combined(A, ` "${A}"`),
      combined(p.address(A), ` "${p.address(A)}"`),
    ],
    ['combined over IPv6', combined('2001:db8::7'), combined(p.address('2001:db8::7'))],
    [
      'nginx JSON: remote_addr and the forwarded-for list',
      JSON.stringify({
        msec: '1',
        remote_addr: A,
        http_x_forwarded_for: `${A}, 10.0.0.1`,
        http_referer: 'http://198.51.100.200/',
        status: '200',
      }),
      JSON.stringify({
        msec: '1',
        remote_addr: p.address(A),
        http_x_forwarded_for: `${p.address(A)}, ${p.address('10.0.0.1')}`,
        http_referer: 'http://198.51.100.200/',
        status: '200',
      }),
    ],
    [
      'nginx JSON with an empty forwarded-for',
      '{"remote_addr":"192.0.2.1","http_x_forwarded_for":"-"}',
      `{"remote_addr":"${p.address('192.0.2.1')}","http_x_forwarded_for":"-"}`,
    ],
    [
      'a Vector envelope',
      JSON.stringify({ message: combined(A), host: 'shipper-1' }),
      JSON.stringify({ message: combined(p.address(A)), host: 'shipper-1' }),
    ],
    [
      'a Fluent Bit envelope',
      JSON.stringify({ date: 1, log: `{"remote_addr":"${A}"}` }),
      JSON.stringify({ date: 1, log: `{"remote_addr":"${p.address(A)}"}` }),
    ],
    ['a line of no known shape: every IP masked', `garbage from ${A} and 2001:db8::1 here`, 'garbage from [ip] and [ip] here'],
    ['JSON without an address is left alone', '{"status":"200"}', '{"status":"200"}'],
  ];
  it.each(cases)('%s', (_name, line, want) => {
    expect(p.line(line)).toBe(want);
  });

  it('leave the processor reading the same event, but for the address', () => {
    for (const line of [
      combined(A),
      JSON.stringify({ msec: '1764320400', remote_addr: A, status: '200', request_uri: '/a', http_user_agent: UA }),
    ]) {
      const plain = parseHit(testLogHit(line, { receivedAt: Date.now() }));
      const pseudo = parseHit(p.hit(testLogHit(line, { receivedAt: Date.now() })));
      expect(plain.ok && pseudo.ok).toBe(true);
      if (!plain.ok || !pseudo.ok) return;
      expect(pseudo.event).toEqual({ ...plain.event, client: p.address(A) });
    }
  });

  it("replace a beacon's address and a log hit's sender", () => {
    expect(p.hit(beaconHit('example.com', { url: 'https://example.com/' }, { receivedAt: 0, client: A, headers: {} })).client).toBe(
      p.address(A),
    );
    const hit = p.hit(testLogHit(combined('192.0.2.9'), { client: '10.1.1.1' }));
    expect(hit.client).toBe(p.address('10.1.1.1'));
    expect(hit.line.startsWith(p.address('192.0.2.9'))).toBe(true);
  });
});
