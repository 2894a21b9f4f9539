/**
 * Log lines and Hit bytes for tests/integration/stage-parse.test.ts, the parse in the engine against the
 * JavaScript one: fixture lines rewritten as nginx JSON, and lines at the edges of what the engine's fast path
 * takes (clickhouse/queries/stage/parse-records.sql) — the visitor's address elsewhere, times and numbers in
 * other forms, Hit bytes written otherwise than encodeHit writes them.
 */
import { clfTime } from './hits.ts';

/** A combined line as nginx's scalehouse_json format writes it (nginx/scalehouse-log-format.conf), by $msec or $time_iso8601. */
export function asNginxJson(line: string, i: number): string | undefined {
  const m = /^(\S+) \S+ \S+ \[(\d\d)\/(\w{3})\/(\d{4}):([\d:]{8}) ([+-]\d\d)(\d\d)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/.exec(
    line,
  );
  if (!m) return undefined;
  const request = m[8]!.split(' ');
  if (request.length !== 3) return undefined;
  const month = String(new Date(`${m[3]} 1, 2000`).getMonth() + 1).padStart(2, '0');
  const iso = `${m[4]}-${month}-${m[2]}T${m[5]}${m[6]}:${m[7]}`;
  const time = i % 2 ? { time_iso8601: iso } : { msec: (Date.parse(iso) / 1000).toFixed(3) };
  const [method, uri, protocol] = request as [string, string, string];
  return JSON.stringify({
    ...time,
    remote_addr: m[1],
    host: i % 3 ? 'Example.COM' : 'example.com',
    request_method: method,
    request_uri: uri,
    server_protocol: protocol,
    status: m[9],
    body_bytes_sent: m[10] === '-' ? '0' : m[10],
    request_time: ['0.012', '3', '-', ''][i % 4],
    upstream_response_time: ['0.010', '-', '1.5', ''][i % 4],
    http_referer: m[11],
    http_user_agent: m[12],
    http_accept_language: ['en-GB,en;q=0.9', '-', ' de ; q=1', 'fr-CA-x-private-long'][i % 4],
  });
}

/** Lines whose visitor's address stands in other fields too, in the forms common/address-text.ts finds. */
export function addressLines(now: number): string[] {
  const at = clfTime(now - 3_600_000);
  const line = (client: string, target: string, referrer = '-', ua = 'curl/8.5.0') =>
    `${client} - - [${at}] "GET ${target} HTTP/1.1" 200 5 "${referrer}" "${ua}"`;
  const json = (client: string, uri: string) =>
    JSON.stringify({
      msec: (now / 1000).toFixed(3),
      remote_addr: client,
      request_uri: uri,
      status: '200',
      http_referer: `http://${client}/`,
    });
  return [
    line('203.0.113.7', '/lookup?ip=203.0.113.7'),
    line('203.0.113.7', '/a', 'http://203.0.113.7:8080/'),
    line('203.0.113.7', '/a?ip=::ffff:cb00:7107'),
    line('203.0.113.7', '/a?ip=0:0:0:0:0:FFFF:cb00:7107'),
    line('203.0.113.7', '/v/1.203.0.113.7'),
    line('2001:db8::1', '/x?ip=2001%3Adb8%3A%3A1'),
    line('2001:db8::1', '/x', '-', 'probe/2001:0db8:0:0:0:0:0:1'),
    line('2001:db8::1', '/x'),
    line('::ffff:203.0.113.7', '/x?ip=203.0.113.7'),
    line('::ffff:cb00:7107', '/x?from=203.0.113.7.'),
    line('fe80::1%eth0', '/x?ip=fe80::1'),
    json('203.0.113.7', '/lookup?ip=203.0.113.7'),
    json('2001:db8::1', '/x?ip=2001:db8:0::1'),
  ];
}

/** Lines at the edges of the forms the fast path takes (parse-records.sql): some are in, most fall back. */
export function edgeLines(now: number): string[] {
  const at = clfTime(now - 3_600_000);
  const clf = (time: string, request = 'GET /a?b=1 HTTP/1.1', rest = ' "-" "curl/8.5.0"') =>
    `198.51.100.4 - - [${time}] "${request}" 200 5${rest}`;
  const msec = (now / 1000).toFixed(3);
  const json = (f: Record<string, unknown>) =>
    JSON.stringify({ remote_addr: '198.51.100.4', request_uri: '/j', status: '200', msec, ...f });
  return [
    ...['31/Feb/2020:00:00:00 +0000', '00/Jan/2020:25:61:61 -1259', '01/Jan/0099:00:00:00 +0000', '31/Dec/1989:23:59:59 +0000'].map((t) =>
      clf(t),
    ),
    ...['29/Feb/2024:12:00:00 +0530', '01/Jan/2299:00:00:00 +0000', '01/jan/2020:00:00:00 +0000'].map((t) => clf(t)),
    clf(at, 'GET  /two-spaces HTTP/1.1'),
    clf(at, 'get /lower HTTP/1.1'),
    clf(at, 'GET /no-protocol'),
    clf(at, '-'),
    clf(at, 'GET /common HTTP/1.0', ''),
    clf(at, 'GET /extra HTTP/1.1', ' "-" "curl/8.5.0" "extra" 0.005'),
    clf(at, 'GET /referrer-only HTTP/1.1', ' "http://a.example/"'),
    `${clf(at)}   `,
    `198.51.100.4 - - [${at}] "GET / HTTP/1.1" 200 1234567890123456 "-" "-"`,
    `198.51.100.4 - - [${at}] "GET / HTTP/1.1" 200 0012 "" ""`,
    `198.51.100.4  - - [${at}] "GET / HTTP/1.1" 200 1 "-" "-"`,
    json({}),
    json({ status: 200, body_bytes_sent: 512, msec: Number(msec) }),
    json({ msec: Math.floor(now / 1000) }),
    json({ msec: msec.slice(0, -2) }),
    json({ msec: String(Math.floor(now / 1000)) }),
    json({ request_time: 0.5, upstream_response_time: '0.010, 0.020' }),
    json({ request_time: '-', upstream_response_time: null, body_bytes_sent: '-' }),
    json({ host: 'WWW.Example.COM', http_user_agent: '-', user_agent: 'fallback-ua', http_referer: '', referer: 'http://r.example/' }),
    json({ request_method: '', method: 'HEAD', request_uri: '-', uri: '/u?x=1', accept_language: ' de-DE-1996-x-long ; q=1' }),
    json({ extra: { nested: [1, 2] } }),
    json({ flag: true }),
    json({ message: 'a wrapped line' }),
    `{"status":"200","status":"404","msec":"${msec}"}`,
    ...[
      '2020-02-29T23:59:59Z',
      '2020-02-30T00:00:00Z',
      '2020-01-01T24:00:00+00:00',
      '2020-01-01T00:00:00',
      '2020-06-01T10:00:00-09:30',
    ].map((t) => json({ msec: '', time_iso8601: t })),
    json({ msec: '-', time_iso8601: '-', time: '2021-03-04T05:06:07+01:00' }),
    json({ msec: '', time_local: at }),
    json({ msec: '1e9' }),
    json({ status: '099' }),
    json({ status: ' 200' }),
  ];
}

/** A plain log Hit's bytes, written otherwise than encodeHit writes them: JSON.parse reads most of them alike. */
export const envelopes = (plain: string, now: number): string[] => [
  plain.replace(/}$/, ',"line":"x"}'),
  plain.replace('"v":1', '"v":1.0'),
  plain.replace(/"receivedAt":\d+/, `"receivedAt":${now / 1000}e3`),
  plain.replace(/"receivedAt":\d+/, '"receivedAt":10413792000000'),
  plain.replace('"site":"example.com"', '"site":"ex\\u0061mple.com"'),
  plain.replace('GET /x', 'GET \\/x'),
  plain.replace('"headers":{}', '"headers":{"country":{"a":1}}'),
  plain.replace('"headers":{}', '"headers":null'),
  plain.replace('"headers":{}', '"headers":{"country":"DE","optOut":true}'),
  plain.replace('{"v":1,"kind":"log",', '{"kind":"log","v":1,'),
  plain.replace('"kind":"log"', '"kind":"beacon"'),
  ` ${plain}`,
];
