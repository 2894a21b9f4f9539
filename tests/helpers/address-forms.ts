/**
 * The texts an address is commonly written as, for tests that look for it at
 * rest: as given, an IPv6 address compressed (RFC 5952), in full and padded,
 * the IPv4 of an IPv4-mapped one, each with its colons percent-encoded.
 * common/address-text.ts finds an address by value, not from such a list;
 * any text holding one of these holds the address.
 */
import { isIP } from 'node:net';
import { ipv6Groups } from '../../common/address-text.ts';

/** RFC 5952's text: the longest run (two or more) of zero groups as "::". */
function compressed(groups: string[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** The texts that write `address`, longest first; none for text that is not an IP address. */
export function addressForms(address: string): string[] {
  const kind = isIP(address);
  if (kind === 0) return [];
  const forms = new Set([address]);
  if (kind === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) forms.add(mapped[1]!);
    const groups = ipv6Groups(address)!;
    forms.add(compressed(groups));
    forms.add(groups.join(':'));
    forms.add(groups.map((g) => g.padStart(4, '0')).join(':'));
  }
  for (const f of [...forms]) if (f.includes(':')) forms.add(f.replaceAll(':', '%3A'));
  return [...forms].sort((a, b) => b.length - a.length);
}
