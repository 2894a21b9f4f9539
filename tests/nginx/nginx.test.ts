/**
 * A real nginx (Debian's), configured with the files in nginx/, serving real
 * requests on a loopback port. Its access log reaches ClickHouse three ways —
 * syslog over UDP (nginx itself), syslog over TCP (util-linux `logger`, both
 * RFC 6587 framings, fed nginx's own log file) and `scalehouse tail` on the
 * file — and each way keeps status, path, bytes, request time and referrer.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { startSyslogServer, type SyslogServer } from '../../collector/syslog/syslog-server.ts';
import { runTail } from '../../collector/tail/run-tail.ts';
import { pipelineSink } from '../../collector/tail/sinks.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { repoFile, startNginx, type Nginx } from '../helpers/nginx.ts';
import { testPseudonymiser } from '../helpers/hits.ts';

const UA = {
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  bot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
};
const REQUESTS = [
  { path: '/', status: 200, ua: UA.chrome, referrer: 'https://www.google.com/search?q=scalehouse' },
  { path: '/about.html', status: 200, ua: UA.firefox, referrer: 'https://news.ycombinator.com/item?id=1' },
  { path: '/about.html', query: 'utm_source=newsletter&utm_medium=email', status: 200, ua: UA.iphone, referrer: '' },
  { path: '/big.bin', status: 200, ua: UA.chrome, referrer: 'http://example.test/' },
  { path: '/old', status: 301, ua: UA.iphone, referrer: '' },
  { path: '/missing', status: 404, ua: UA.firefox, referrer: 'https://elsewhere.example/page' },
  { path: '/boom', status: 500, ua: UA.chrome, referrer: '' },
  { path: '/slow', status: 200, ua: UA.chrome, referrer: '' },
  { path: '/', status: 200, ua: UA.bot, referrer: '' },
];

let busDir: string;
let nginx: Nginx;
let upstream: Server;
let ch: ClickHouse;
let bus: LocalBus;
let syslog: SyslogServer;
let nginxPort: number;
const stopTail = new AbortController();
let tailDone: Promise<void>;

beforeAll(async () => {
  ch = await freshClickHouse();
  busDir = mkdtempSync(join(tmpdir(), 'scalehouse-nginx-bus-'));
  bus = await LocalBus.open({ dir: join(busDir, 'bus') });
  await startProcessor({ bus, ch, salts: new SaltStore(ch), sessionTimeoutMs: 1_800_000, maxRecords: 500 });
  syslog = await startSyslogServer({
    pseudonymise: testPseudonymiser(),
    host: '127.0.0.1',
    port: 0,
    maxBytes: 65536,
    bus,
    rules: { siteByTag: { nginx: 'udp.example.com', tcp_octet: 'tcp.example.com', tcp_lf: 'tcplf.example.com' }, sites: '*' },
  });

  // An upstream that takes 40 ms, so request and upstream times are not zero.
  upstream = createServer((_req, res) => setTimeout(() => res.end('slow'), 40));
  const upstreamPort = await new Promise<number>((r) =>
    upstream.listen(0, '127.0.0.1', () => r((upstream.address() as { port: number }).port)),
  );

  // The project's own nginx files, with only the syslog address changed to this test's receiver.
  const syslogLine = readFileSync(repoFile('nginx/scalehouse-syslog.conf'), 'utf8').replace('127.0.0.1:5514', `127.0.0.1:${syslog.port}`);
  nginx = await startNginx({
    files: { 'index.html': '<h1>home</h1>', 'about.html': '<h1>about</h1>'.repeat(10), 'big.bin': Buffer.alloc(123_457, 7) },
    server: `${syslogLine}
    location = /old { return 301 /about.html; }
    location = /boom { return 500; }
    location = /slow { proxy_pass http://127.0.0.1:${upstreamPort}; }`,
    probeUserAgent: UA.firefox,
  });
  nginxPort = nginx.port;

  // The third way in: following nginx's log file.
  const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 1_800_000 });
  tailDone = runTail({
    path: nginx.accessLog,
    site: 'tail.example.com',
    stateDir: join(nginx.dir, 'tail'),
    sink: pipelineSink(handle),
    maxLineBytes: 65536,
    pollMs: 50,
    signal: stopTail.signal,
  });

  // The requests (the probe above made one more GET / on each path of the log).
  for (const r of REQUESTS) {
    const res = await fetch(`http://127.0.0.1:${nginxPort}${r.path}${r.query ? `?${r.query}` : ''}`, {
      headers: { 'user-agent': r.ua, ...(r.referrer ? { referer: r.referrer } : {}) },
      redirect: 'manual',
    });
    expect(res.status).toBe(r.status);
    await res.arrayBuffer();
  }
  await waitFor('nginx to write every line', async () =>
    readFileSync(nginx.accessLog, 'utf8').trim().split('\n').length === REQUESTS.length + 1 ? true : undefined,
  );
}, 600_000); // installing nginx on a fresh machine takes a while

afterAll(async () => {
  stopTail.abort();
  await tailDone;
  await nginx?.stop();
  upstream?.close();
  await syslog?.close();
  await bus?.close();
  await ch?.close();
  if (busDir) rmSync(busDir, { recursive: true, force: true });
}, 60_000);

/** What nginx itself wrote, read straight from its log file: the reference for every way in. */
function nginxLog() {
  return readFileSync(nginx.accessLog, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
}

async function landed(site: string) {
  const expected = REQUESTS.length + 1;
  await waitFor(
    `${expected} hits for ${site}`,
    async () => {
      const [r] = await rows<{ n: number }>(
        ch,
        'SELECT (SELECT count() FROM events WHERE site = {site:String}) + (SELECT sum(hits) FROM bots_minute WHERE site = {site:String}) AS n',
        { site },
      );
      return Number(r!.n) >= expected ? true : undefined;
    },
    30_000,
  );
  return rows<{
    path: string;
    query: string;
    status: number;
    bytes: number;
    request_time_ms: number;
    upstream_time_ms: number;
    referrer: string;
    browser: string;
    channel: string;
    utm_source: string;
  }>(
    ch,
    'SELECT path, query, status, bytes, request_time_ms, upstream_time_ms, referrer, browser, channel, utm_source FROM events WHERE site = {site:String} ORDER BY path, query, status, referrer',
    { site },
  );
}

describe.each([
  ['syslog over UDP, sent by nginx', 'udp.example.com'],
  ['syslog over TCP, octet-counted RFC 5424 (logger)', 'tcp.example.com'],
  ['syslog over TCP, newline-framed RFC 3164 (logger)', 'tcplf.example.com'],
  ['scalehouse tail on the access log file', 'tail.example.com'],
])('nginx → %s', (_name, site) => {
  it('lands every request with status, path, bytes, request time and referrer intact', async () => {
    const file = nginx.accessLog;
    if (site === 'tcp.example.com')
      execFileSync('logger', [
        '--tcp',
        '--octet-count',
        '--rfc5424',
        '--size',
        '8192',
        '--server',
        '127.0.0.1',
        '--port',
        String(syslog.port),
        '--tag',
        'tcp_octet',
        '-f',
        file,
      ]);
    if (site === 'tcplf.example.com')
      execFileSync('logger', [
        '--tcp',
        '--rfc3164',
        '--size',
        '8192',
        '--server',
        '127.0.0.1',
        '--port',
        String(syslog.port),
        '--tag',
        'tcp_lf',
        '-f',
        file,
      ]);
    const events = await landed(site);

    const humans = nginxLog().filter((l) => !l.http_user_agent!.includes('Googlebot'));
    const expected = humans
      .map((l) => {
        const [path, query = ''] = l.request_uri!.split('?');
        return {
          path: path!,
          query,
          status: Number(l.status),
          bytes: Number(l.body_bytes_sent),
          request_time_ms: Math.round(Number(l.request_time) * 1000),
          upstream_time_ms: Math.round((Number(l.upstream_response_time) || 0) * 1000),
          referrer: l.http_referer === '-' ? '' : l.http_referer!,
        };
      })
      .sort((a, b) =>
        `${a.path}\t${a.query}\t${a.status}\t${a.referrer}`.localeCompare(`${b.path}\t${b.query}\t${b.status}\t${b.referrer}`),
      );
    expect(
      events.map(({ path, query, status, bytes, request_time_ms, upstream_time_ms, referrer }) => ({
        path,
        query,
        status,
        bytes,
        request_time_ms,
        upstream_time_ms,
        referrer,
      })),
    ).toEqual(expected);

    // Sanity on the reference itself, so the comparison above means something.
    expect(events.find((e) => e.path === '/big.bin')).toMatchObject({ bytes: 123_457, browser: 'Chrome' });
    expect(events.find((e) => e.path === '/slow')!.request_time_ms).toBeGreaterThanOrEqual(40);
    expect(events.find((e) => e.path === '/slow')!.upstream_time_ms).toBeGreaterThanOrEqual(40);
    expect(events.find((e) => e.path === '/' && e.referrer.startsWith('https://www.google.com'))).toMatchObject({ channel: 'search' });
    expect(events.find((e) => e.query.includes('utm_source'))).toMatchObject({ utm_source: 'newsletter', channel: 'email' });
    expect(await rows(ch, 'SELECT status, path FROM bots_minute WHERE site = {site:String}', { site })).toEqual([
      { status: 200, path: '/' },
    ]);
  });
});
