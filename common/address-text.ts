/**
 * Where a visitor's own address stands inside other text — a query string
 * (`/lookup?ip=…`), a referrer, a beacon's props — so it can be replaced
 * there too (docs/privacy.md). Found as a whole address, not inside a longer
 * number or a longer address, in the forms a page or a log writes it: as the
 * collector saw it, the IPv4 inside an IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, what a dual-stack socket reports), an IPv6 address
 * compressed (RFC 5952) or written out in full, and each of those with its
 * colons percent-encoded (RFC 3986 §2.1: `%3A`, either case).
 */
import { isIP } from 'node:net';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The eight groups of an IPv6 address, each as hex without leading zeros. */
function groupsOf(v6: string): string[] | undefined {
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
  const groups = [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16).toString(16));
  return groups.length === 8 ? groups : undefined;
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

/** The texts that write `address`, longest first (so a longer form is replaced whole). */
export function addressForms(address: string): string[] {
  const kind = isIP(address);
  if (kind === 0) return [];
  const forms = new Set([address]);
  if (kind === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) forms.add(mapped[1]!);
    const groups = groupsOf(address);
    if (groups) {
      forms.add(compressed(groups));
      forms.add(groups.join(':'));
      forms.add(groups.map((g) => g.padStart(4, '0')).join(':'));
    }
  }
  for (const f of [...forms]) if (f.includes(':')) forms.add(f.replaceAll(':', '%3A'));
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * A pattern of the address's forms standing alone: not preceded or followed
 * by a letter, digit, "_", "." or ":" (so 1.2.3.4 is not found in 11.2.3.4,
 * 1.2.3.45 or 1.2.3.4.5) — but a sentence's full stop may follow, and a
 * percent-encoded byte may touch it.
 */
export function addressPattern(address: string): RegExp | undefined {
  const forms = addressForms(address);
  if (forms.length === 0) return undefined;
  const alternatives = forms.map((f) => escapeRegExp(f).replaceAll('%3A', '%3[Aa]')).join('|');
  return new RegExp(`(?:(?<=%[0-9A-Fa-f]{2})|(?<![\\w.:]))(?:${alternatives})(?:(?=%[0-9A-Fa-f]{2})|(?![\\w:]|\\.[\\w]))`, 'gi');
}

/** `text` with every form of `address` replaced by `replacement`; text unchanged when `address` is not an IP address. */
export function replaceAddressText(text: string, address: string, replacement: string): string {
  const pattern = addressPattern(address);
  return pattern ? text.replace(pattern, () => replacement) : text;
}
