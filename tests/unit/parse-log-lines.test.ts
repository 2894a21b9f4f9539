/**
 * Access-log parsing over real lines (the real-world logs, tests/helpers/fixtures.ts) and over lines
 * built from the log_format in nginx/ exactly as nginx would write them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseHit } from '../../processor/steps/parse.ts';
import { parseTimeLocal, unescapeLogField } from '../../processor/parsers/combined-line.ts';
import { testLogHit as hit } from '../helpers/hits.ts';
import { fixture } from '../helpers/fixtures.ts';

const realLine = (file: string, n: number) => readFileSync(fixture(`logs/${file}`), 'utf8').split('\n')[n]!;

describe('combined format', () => {
  it.each([
    {
      name: 'a real line (hackers-access.log:1)',
      line: realLine('hackers-access.log', 0),
      want: {
        client: '195.154.46.135',
        ts: Date.UTC(2015, 9, 25, 3, 11, 25),
        method: 'GET',
        path: '/linux/doing-pxe-without-dhcp-control',
        query: '',
        status: 200,
        bytes: 24323,
        referrer: 'http://howto.basjes.nl/',
        userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:35.0) Gecko/20100101 Firefox/35.0',
      },
    },
    {
      name: 'a real line with a trailing space and time zone -0800 (secrepo-2018-12-15.log:1)',
      line: realLine('secrepo-2018-12-15.log', 0),
      want: {
        client: '77.75.78.160',
        ts: Date.UTC(2018, 11, 15, 10, 18, 31),
        path: '/robots.txt',
        status: 200,
        bytes: 334,
        referrer: '',
        userAgent: 'Mozilla/5.0 (compatible; SeznamBot/3.2; +http://napoveda.seznam.cz/en/seznambot-intro/)',
      },
    },
    {
      name: 'escaped quotes inside the user agent',
      line: '190.111.160.130 - - [24/Oct/2021:11:40:34 -0700] "GET / HTTP/1.1" 301 475 "-" "User-Agent\\" \\"Mozilla/5.0 (Windows NT 6.1;) Gecko/20100101 Firefox/13.0.1"',
      want: { status: 301, userAgent: 'User-Agent" "Mozilla/5.0 (Windows NT 6.1;) Gecko/20100101 Firefox/13.0.1' },
    },
    {
      name: 'a query string and "-" for the size',
      line: '::1 - bob [01/Jan/2024:00:00:00 +0000] "POST /search?q=a+b&utm_source=x HTTP/2.0" 204 - "https://example.com/" "curl/8.0"',
      want: {
        client: '::1',
        ts: Date.UTC(2024, 0, 1),
        method: 'POST',
        path: '/search',
        query: 'q=a+b&utm_source=x',
        status: 204,
        bytes: 0,
      },
    },
    {
      name: 'a request that is not HTTP (nginx logs the bytes, escaped)',
      line: '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "\\x16\\x03\\x01\\x00" 400 157 "-" "-"',
      want: { method: '', path: '', status: 400, bytes: 157, userAgent: '' },
    },
    {
      name: 'common format (no referrer, no user agent)',
      line: '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /x HTTP/1.0" 200 10',
      want: { path: '/x', status: 200, referrer: '', userAgent: '' },
    },
  ])('$name', ({ line, want }) => {
    const r = parseHit(hit(line));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.event).toMatchObject(want);
  });

  it.each([
    ['cut inside the time', '1.2.3.4 - - [01/Jan/2024:00:0', 'truncated_line'],
    ['cut inside the request', '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /abc', 'truncated_line'],
    [
      'cut inside the user agent',
      '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0 (Win',
      'truncated_line',
    ],
    ['cut after the referrer', '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 10 "-"', 'truncated_line'],
    ['a month that does not exist', '1.2.3.4 - - [01/Foo/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "x"', 'invalid_timestamp'],
    ['free text', 'hello world', 'unrecognised_line'],
    ['JSON cut off', '{"msec":"1.0","status":"2', 'invalid_json_line'],
    ['JSON without status', '{"msec":"1700000000.000"}', 'invalid_json_line'],
  ])('dead-letters a line %s', (_name, line, reason) => {
    const r = parseHit(hit(line));
    expect(r).toMatchObject({ ok: false, deadLetter: reason });
  });

  it('reads $time_local with its offset, and unescapes \\xHH as UTF-8', () => {
    expect(parseTimeLocal('10/Oct/2000:13:55:36 -0700')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(parseTimeLocal('10/Oct/2000:13:55:36')).toBeNaN();
    expect(unescapeLogField('caf\\xC3\\xA9 \\"q\\" \\\\')).toBe('café "q" \\');
  });
});

describe('nginx JSON format (nginx/scalehouse-log-format.conf)', () => {
  // The log_format's pieces, concatenated as nginx does.
  const conf = readFileSync(fileURLToPath(new URL('../../nginx/scalehouse-log-format.conf', import.meta.url)), 'utf8');
  const body = /log_format scalehouse_json escape=json\s+([\s\S]*?);/.exec(conf)![1]!;
  const template = [...body.matchAll(/'([^']*)'/g)].map((m) => m[1]).join('');

  /** Fills the template as nginx does with escape=json: unset variables become "". */
  const render = (vars: Record<string, string>) =>
    template.replace(/\$([a-z0-9_]+)/g, (_, name: string) => JSON.stringify(vars[name] ?? '').slice(1, -1));

  it('carries every field the processor reads', () => {
    for (const v of [
      '$msec',
      '$remote_addr',
      '$request_method',
      '$request_uri',
      '$status',
      '$body_bytes_sent',
      '$request_time',
      '$upstream_response_time',
      '$http_referer',
      '$http_user_agent',
      '$host',
      '$http_x_forwarded_for',
    ]) {
      expect(template).toContain(v);
    }
  });

  it('parses a rendered line, including quotes and backslashes in the user agent', () => {
    const line = render({
      msec: '1732780800.123',
      time_iso8601: '2024-11-28T08:00:00+00:00',
      remote_addr: '192.0.2.1',
      host: 'www.Example.com',
      request_method: 'GET',
      request_uri: '/docs/a?utm_source=news&utm_medium=email',
      server_protocol: 'HTTP/1.1',
      status: '200',
      body_bytes_sent: '5120',
      request_time: '0.250',
      upstream_response_time: '0.100, 0.050',
      http_referer: 'https://www.google.com/',
      http_user_agent: 'Weird "agent" \\ 1.0',
      http_accept_language: 'fr-CH, fr;q=0.9',
    });
    const r = parseHit(hit(line));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toMatchObject({
      ts: 1732780800123,
      client: '192.0.2.1',
      host: 'www.example.com',
      method: 'GET',
      path: '/docs/a',
      query: 'utm_source=news&utm_medium=email',
      status: 200,
      bytes: 5120,
      requestTimeMs: 250,
      upstreamTimeMs: 150,
      referrer: 'https://www.google.com/',
      userAgent: 'Weird "agent" \\ 1.0',
      language: 'fr-CH',
    });
  });

  it('takes lines wrapped by shippers (Vector "message", Fluent Bit "log")', () => {
    const raw = realLine('secrepo-2021.log', 0);
    for (const wrapped of [JSON.stringify({ message: raw, host: 'h' }), JSON.stringify({ log: raw, date: 1 })]) {
      expect(parseHit(hit(wrapped))).toMatchObject({ ok: true, event: { status: 200, path: '/Datasets%20Description/Network/ftp.html' } });
    }
  });
});
