/**
 * Whether an address is a trusted proxy (TRUSTED_PROXIES), asked twice per
 * request behind one: for the socket's peer and for each X-Forwarded-For hop
 * (client-address.ts). common/config.ts's addressMatcher answers through
 * net.BlockList, which builds a SocketAddress per check — 6.5% of the main
 * thread's time per beacon (docs/benchmarks.md, "Reading the intake
 * figures"). A plain dotted IPv4 address, what nearly every check is, is
 * compared here as a number against the list's IPv4 addresses and CIDRs;
 * anything else (IPv6, IPv4-mapped IPv6, text that is no address, and an
 * IPv4 address outside them when the list has IPv6 entries too) goes to
 * addressMatcher, so the answers are the same (tests/unit/trusted-proxy.test.ts).
 */
import { isIP } from 'node:net';
import { addressMatcher } from '../common/config.ts';

/** A dotted IPv4 address as an unsigned 32-bit number, as strictly as net.isIP reads one (no leading zeros); else undefined. */
export function ipv4Number(address: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return undefined; // a leading zero
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return n * 256 + part;
}

export function trustedProxy(list: string[]): (address: string) => boolean {
  const other = addressMatcher(list);
  const ranges: { net: number; size: number }[] = [];
  for (const item of list) {
    const [addr, bits] = item.split('/') as [string, string | undefined];
    if (isIP(addr) !== 4) continue;
    const size = 2 ** (32 - (bits === undefined ? 32 : Number(bits)));
    ranges.push({ net: Math.floor(ipv4Number(addr)! / size) * size, size });
  }
  // BlockList also matches an IPv4 address against IPv6 entries (an IPv4-mapped ::ffff:a.b.c.d/104).
  const v6Entries = ranges.length < list.length;
  return (address) => {
    const n = ipv4Number(address);
    if (n === undefined) return other(address);
    for (const r of ranges) if (n >= r.net && n < r.net + r.size) return true;
    return v6Entries && other(address);
  };
}
