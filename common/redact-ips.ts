/**
 * Masks anything shaped like an IPv4 or IPv6 address in text bound for the
 * dead letters: raw client IPs must never reach ClickHouse, even inside a
 * line we could not parse.
 */
// Not part of a longer dotted run (1.2.3.4.5 is a version), but a sentence's full stop may follow.
const IPV4 = /(?<![\d.])(?<!\d\.)(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/g;
const IPV6_CANDIDATE = /(?<![0-9a-z:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![0-9a-z:])/gi;

/** An IPv6 address rather than a time ("10:00:00") or a log's "2026:10:00:00". */
function looksLikeIpv6(s: string): boolean {
  const colons = s.split(':').length - 1;
  return s.includes('::') || colons >= 5 || (colons >= 3 && /[a-f]/i.test(s));
}

export function redactIps(text: string): string {
  return text.replace(IPV4, '[ip]').replace(IPV6_CANDIDATE, (m) => (looksLikeIpv6(m) ? '[ip]' : m));
}
