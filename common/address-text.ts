/**
 * Where a visitor's own address stands inside other text — a query string
 * (`/lookup?ip=…`), a referrer, a beacon's props — so it can be replaced
 * there too (docs/privacy.md). Forms are not listed: every run of address
 * characters in the text is read as an address and compared with the
 * visitor's by value, so any writing of it is found — IPv6 compressed or not,
 * padded or not, in any case (RFC 4291 §2.2, RFC 5952), with its IPv4 tail
 * dotted, the IPv4 of an IPv4-mapped address (`::ffff:203.0.113.7`, what a
 * dual-stack socket reports) and that address written as IPv6, an IPv4
 * followed by its port (`203.0.113.7:8080`, RFC 3986 §3.2.3's authority),
 * and colons percent-encoded (RFC 3986 §2.1: `%3A`, either case). A run that
 * reads as anything else — another address, a version 1.2.3.4.5, a time
 * 10:00:00, a longer number — is left as it is.
 */
import { isIP } from 'node:net';

/**
 * A run of address characters (hex digits, ".", ":" or an encoded ":"),
 * starting where no such character, letter or "_" stands before it — or just
 * after another percent-encoded byte (`%22203.0.113.7`), whose hex digits
 * are not the run's.
 */
const RUN = /(?:(?<=%(?!3[Aa])[0-9A-Fa-f]{2})|(?<![\w.:%]|%[0-9A-Fa-f]))(?:%3[Aa]|[0-9A-Fa-f.:])+/g;
/** An IPv4 address at a run's end, after whatever precedes it, before an optional port. */
const V4_IN_RUN = /^(.*?)(\d{1,3}(?:\.\d{1,3}){3})(:\d{0,5})?$/;

/** The eight groups of a valid IPv6 address, lower case, each without leading zeros; undefined for anything else. */
export function ipv6Groups(v6: string): string[] | undefined {
  if (isIP(v6) !== 6) return undefined;
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

/** The groups as one text, to compare two addresses by value. */
const groupsOf = (v6: string): string | undefined => ipv6Groups(v6)?.join(':');

/** The address as IPv6 groups (an IPv4 one as IPv4-mapped, RFC 4291 §2.5.5.2) and as IPv4 where it is one. */
function readClient(address: string): { groups: string; v4?: string } | undefined {
  const kind = isIP(address);
  if (kind === 4) return { groups: groupsOf(`::ffff:${address}`)!, v4: address };
  if (kind !== 6) return undefined;
  const groups = groupsOf(address.replace(/%.*$/, ''))!; // a zone (fe80::1%eth0, RFC 4007 §11) is not part of the address
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(groups);
  if (!mapped) return { groups };
  const [hi, lo] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
  return { groups, v4: [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.') };
}

/**
 * How many leading characters of a run (colons decoded) write the client's
 * address; 0 when the run is not it. A full stop may end a sentence after
 * it, a colon may follow an IPv6 address, a port an IPv4 one (also with a
 * mapped prefix: `::ffff:203.0.113.7:8080`), but no more: an IPv6 address
 * followed by ":80" reads as another address, and is one.
 */
function measureAddress(run: string, client: { groups: string; v4?: string }): number {
  const core = run.endsWith('.') ? run.slice(0, -1) : run;
  if (groupsOf(core) === client.groups) return core.length;
  if (/[^:]:$/.test(core) && groupsOf(core.slice(0, -1)) === client.groups) return core.length - 1;
  const v4 = client.v4 ? V4_IN_RUN.exec(core) : null;
  if (!v4 || v4[2] !== client.v4) return 0;
  const [, before, address] = v4 as unknown as [string, string, string];
  return before === '' || groupsOf(before + address) === client.groups ? before.length + address.length : 0;
}

/** The text's length in the run as written for `decodedLength` characters of it decoded (`%3A` is three, ":" one). */
function measureWritten(run: string, decodedLength: number): number {
  let at = 0;
  for (let n = 0; n < decodedLength; n++) at += run[at] === '%' ? 3 : 1;
  return at;
}

/**
 * Whether a text can hold a writing of the client's address at all, before the runs are read one by
 * one (most beacon strings — a user agent, a URL — cannot): every IPv6 writing has two colons, plain or
 * encoded (RFC 4291 §2.2: eight groups, or "::"), and the only writing without them is the IPv4 address
 * itself (measureAddress compares it as written).
 */
function mayHold(text: string, client: { v4?: string }): boolean {
  if (client.v4 !== undefined && text.includes(client.v4)) return true;
  const colon = text.indexOf(':');
  if (colon !== -1 && text.indexOf(':', colon + 1) !== -1) return true;
  return text.includes('%') && /%3a/i.test(text);
}

/** Replaces every writing of `address` in a text; undefined when `address` is not an IP address. */
export function addressReplacer(address: string): ((text: string, replacement: string) => string) | undefined {
  const kind = isIP(address);
  if (kind === 0) return undefined;
  // An IPv4 client's groups are read only once a text may hold them (most beacons: never); an IPv6
  // client's IPv4, if it is IPv4-mapped, is known only by reading it.
  let read = kind === 6 ? readClient(address) : undefined;
  const client = () => (read ??= readClient(address)!);
  const written = read ?? { v4: address };
  return (text, replacement) =>
    !mayHold(text, written)
      ? text
      : text.replace(RUN, (run, at: number) => {
          // A letter or "_" right after the run makes it part of a word (203.0.113.7x, 2001:db8::1_a).
          if (/[\w]/.test(text[at + run.length] ?? '')) return run;
          const decoded = run.replace(/%3a/gi, ':');
          if (!decoded.includes(':') && decoded.split('.').length < 4) return run;
          const length = measureAddress(decoded, client());
          return length === 0 ? run : replacement + run.slice(measureWritten(run, length));
        });
}

/** `text` with every writing of `address` replaced by `replacement`; text unchanged when `address` is not an IP address. */
export function replaceAddressText(text: string, address: string, replacement: string): string {
  return addressReplacer(address)?.(text, replacement) ?? text;
}
