/**
 * Hostile input for tests that feed every source (tests/integration/pipeline-fuzz.test.ts, end to end;
 * tests/integration/stage-parse.test.ts, the parse in the engine against the JavaScript one): random and
 * hostile values in every field of beacons, nginx JSON and combined log lines, from a seeded generator.
 */
import { seeded } from './seeded-random.ts';

/** The site every generated hit is for. */
export const FUZZ_SITE = 'fuzz.test';
export const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** Values no field should have to take, and every field gets some. */
export const HOSTILE: unknown[] = [
  '\ud800',
  'a\udc00b',
  '\udbff\udbff',
  'x\ud800\u0000',
  '\u0000',
  '\u0001\u001b[31mred\u001b[0m\r\nforged: line',
  '\u2028\u2029',
  '\ufeff\ufffe\uffff',
  'x'.repeat(60_000),
  'é'.repeat(20_000),
  '%ED%A0%80',
  '%00%0d%0a',
  '%FF%FE',
  '%',
  "'; DROP TABLE events; --",
  '\\',
  '"',
  '{"a":',
  '`',
  '9'.repeat(400),
  '-1',
  '1e308',
  '-1e308',
  'NaN',
  'Infinity',
  '-0',
  '18446744073709551616',
  '-9223372036854775809',
  '0x7fffffff',
  '0000-01-01T00:00:00+00:00',
  '9999-12-31T23:59:59+00:00',
  '-62167219200',
  '253402300799.999',
  '1e30',
  '',
  2 ** 64,
  -(2 ** 63),
  1e308,
  -1,
  0.5,
  null,
  true,
  [],
  {},
  [[[[]]]],
];

/** Nested `depth` deep, or `width` keys wide: JSON that costs to parse. */
const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const wide = (width: number) => `{${Array.from({ length: width }, (_, i) => `"k${i}":${i}`).join(',')}}`;

const JSON_FIELDS = [
  'msec',
  'time_iso8601',
  'remote_addr',
  'host',
  'request_method',
  'request_uri',
  'server_protocol',
  'status',
  'body_bytes_sent',
  'request_time',
  'upstream_response_time',
  'http_referer',
  'http_user_agent',
  'http_x_forwarded_for',
  'http_accept_language',
];
const BEACON_FIELDS = ['site', 'type', 'url', 'referrer', 'name', 'w', 'engaged_ms', 'hash', 'props', 'lang'];
const COMBINED_FIELDS = ['ip', 'time', 'method', 'path', 'status', 'bytes', 'referrer', 'ua'] as const;

/** Beacon bodies and log lines (JSON and combined) with hostile values in random fields, the same for the same seed. */
export function hostileGenerator(seed: number) {
  const rand = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const few = <T>(xs: readonly T[]) => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(xs));
  const hostileText = () => String(pick(HOSTILE));
  let n = 0;
  const now = () => Date.now() - Math.floor(rand() * 60_000);
  const clf = (ms: number) => {
    const d = new Date(ms);
    const mon = d.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
    return `${String(d.getUTCDate()).padStart(2, '0')}/${mon}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
  };
  const ip = () => `198.51.100.${1 + Math.floor(rand() * 200)}`;

  const jsonLine = (): string => {
    const id = n++;
    const f: Record<string, unknown> = {
      msec: (now() / 1000).toFixed(3),
      time_iso8601: '',
      remote_addr: ip(),
      host: FUZZ_SITE,
      request_method: 'GET',
      request_uri: `/fz/json/${id}?q=1`,
      server_protocol: 'HTTP/1.1',
      status: '200',
      body_bytes_sent: '512',
      request_time: '0.010',
      upstream_response_time: '0.008',
      http_referer: 'https://www.google.com/',
      http_user_agent: CHROME,
      http_x_forwarded_for: '-',
      http_accept_language: 'en',
    };
    for (const k of few(JSON_FIELDS)) f[k] = pick(HOSTILE);
    return JSON.stringify(f);
  };
  const combinedLine = (): string => {
    const id = n++;
    const f: Record<(typeof COMBINED_FIELDS)[number], string> = {
      ip: ip(),
      time: clf(now()),
      method: 'GET',
      path: `/fz/clf/${id}`,
      status: '200',
      bytes: '512',
      referrer: '-',
      ua: CHROME,
    };
    for (const k of few(COMBINED_FIELDS)) f[k] = pick(['[01/Jan/0000:00:00:00 +0000]', '31/Dec/9999:23:59:59 +0000', hostileText()]);
    return `${f.ip} - - [${f.time}] "${f.method} ${f.path} HTTP/1.1" ${f.status} ${f.bytes} "${f.referrer}" "${f.ua}"`;
  };
  const beacon = (): string => {
    const id = n++;
    const p: Record<string, unknown> = {
      site: FUZZ_SITE,
      type: pick(['pageview', 'event', 'engagement']),
      url: `https://${FUZZ_SITE}/fz/beacon/${id}`,
      referrer: 'https://duckduckgo.com/',
      name: 'signup',
      w: 1280,
      engaged_ms: 3000,
      props: { plan: 'pro' },
    };
    for (const k of few(BEACON_FIELDS)) {
      const r = rand();
      p[k] = r < 0.1 ? { [hostileText()]: pick(HOSTILE), [`k${id}`]: hostileText() } : pick(HOSTILE);
    }
    if (rand() < 0.1)
      p.props = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`${hostileText().slice(0, 50)}${i}`, pick(HOSTILE)]));
    const body = JSON.stringify(p);
    // Now and then JSON that is expensive or odd to parse, though still a beacon.
    if (rand() < 0.05) return body.replace(/}$/, `,"props2":${rand() < 0.5 ? deep(2_000) : wide(2_000)}}`);
    return body;
  };
  /** Bytes that are not UTF-8 in the middle of an otherwise good line. */
  const invalidUtf8 = (line: string): Buffer => {
    const at = Math.floor(line.length / 2);
    return Buffer.concat([
      Buffer.from(line.slice(0, at)),
      Buffer.from(pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x00]])),
      Buffer.from(line.slice(at)),
    ]);
  };
  const logLine = (): Buffer => {
    const line = rand() < 0.6 ? jsonLine() : combinedLine();
    return rand() < 0.15 ? invalidUtf8(line) : Buffer.from(line);
  };
  return { rand, beacon, logLine, invalidUtf8 };
}
