/**
 * Masks anything shaped like an IPv4 or IPv6 address in text bound for the
 * dead letters: raw client IPs must never reach ClickHouse, even inside a
 * line we could not parse.
 */
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
// Runs of hex groups with at least two colons (covers ::1, fe80::1, full forms).
const IPV6 = /\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\b/gi;

export function redactIps(text: string): string {
  return text.replace(IPV4, '[ip]').replace(IPV6, (m) => (/[0-9a-f]/i.test(m) && m.includes('::') || m.split(':').length >= 4 ? '[ip]' : m));
}
