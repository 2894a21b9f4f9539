/**
 * The texts an address is commonly written as, for tests that look for it at
 * rest: as given, an IPv6 address compressed (RFC 5952), in full and padded,
 * the IPv4 of an IPv4-mapped one, each with its colons percent-encoded.
 * common/address-text.ts finds an address by value, not from such a list;
 * any text holding one of these holds the address.
 */
import { isIP } from 'node:net';

/** The eight groups of an IPv6 address, each as hex without leading zeros. */
function groupsOf(v6: string): string[] {
  let text = v6.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16).toString(16));
}

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
    const groups = groupsOf(address);
    forms.add(compressed(groups));
    forms.add(groups.join(':'));
    forms.add(groups.map((g) => g.padStart(4, '0')).join(':'));
  }
  for (const f of [...forms]) if (f.includes(':')) forms.add(f.replaceAll(':', '%3A'));
  return [...forms].sort((a, b) => b.length - a.length);
}
