/**
 * server/trusted-proxy.ts compares plain IPv4 addresses as numbers instead of
 * through net.BlockList: it must answer exactly as common/config.ts's
 * addressMatcher does, for every kind of list and address.
 */
import { describe, expect, it } from 'vitest';
import { addressMatcher } from '../../common/config.ts';
import { ipv4Number, trustedProxy } from '../../server/trusted-proxy.ts';

const LISTS = [
  [],
  ['127.0.0.1'],
  ['10.0.0.0/8', '192.168.1.7'],
  ['10.1.2.3/8'], // host bits set: the network is 10.0.0.0/8, as BlockList reads it
  ['0.0.0.0/0'],
  ['203.0.113.255/32', '198.51.100.0/25'],
  ['::1', '2001:db8::/32'],
  ['::ffff:10.0.0.0/104', '172.16.0.0/12'],
];

/** Addresses around every list's edges, a seeded spread of others, and text that is no address. */
function addresses(): string[] {
  const out = [
    '127.0.0.1',
    '127.0.0.2',
    '10.0.0.0',
    '10.255.255.255',
    '11.0.0.0',
    '9.255.255.255',
    '192.168.1.7',
    '192.168.1.8',
    '203.0.113.255',
    '203.0.113.254',
    '198.51.100.0',
    '198.51.100.127',
    '198.51.100.128',
    '172.16.0.1',
    '172.31.255.255',
    '172.32.0.0',
    '0.0.0.0',
    '255.255.255.255',
    '::1',
    '::2',
    '2001:db8::5',
    '2001:db9::',
    '::ffff:10.1.1.1',
    '::ffff:127.0.0.1',
    '::ffff:a01:101',
    '010.0.0.1',
    '10.0.0.01',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.-4',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '',
    'localhost',
    '10.0.0.1 ',
    ' 10.0.0.1',
    '10.0.0.1:80',
    'fe80::1%eth0',
    '1234.1.1.1',
    '10.0.0.1000',
  ];
  let seed = 27;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
  for (let i = 0; i < 2000; i++) out.push([i % 2 ? 10 : next(), next(), next(), next()].join('.'));
  return out;
}

describe('trusted proxies', () => {
  it('reads dotted IPv4 addresses as numbers, as strictly as net.isIP', () => {
    expect(ipv4Number('0.0.0.0')).toBe(0);
    expect(ipv4Number('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(ipv4Number('10.1.2.3')).toBe(((10 * 256 + 1) * 256 + 2) * 256 + 3);
    for (const bad of ['010.0.0.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.', '', '::1', '1.2.3.4 '])
      expect(ipv4Number(bad), bad).toBeUndefined();
  });

  it('answers as addressMatcher does for every list and address', () => {
    const all = addresses();
    for (const list of LISTS) {
      const fast = trustedProxy(list);
      const reference = addressMatcher(list);
      const differ = all.filter((a) => fast(a) !== reference(a));
      expect(differ, `list ${JSON.stringify(list)}`).toEqual([]);
    }
    // The comparison sees both answers (a list trusting nothing or everything would prove little).
    expect(all.filter(trustedProxy(['10.0.0.0/8'])).length).toBeGreaterThan(100);
    expect(all.filter((a) => !trustedProxy(['10.0.0.0/8'])(a)).length).toBeGreaterThan(100);
  });
});
