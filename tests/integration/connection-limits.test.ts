/**
 * What one address can hold of a listener (issue 25), on real sockets: an
 * attacker's connections come from 127.0.0.2, the honest client's from
 * 127.0.0.1, a trusted proxy's from 127.0.0.3. Every socket is destroyed and
 * every server closed at the end of its test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testSyslogServer } from '../helpers/syslog-server.ts';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type AddressInfo } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Server } from 'node:http';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { loadConfig } from '../../common/config.ts';
import { DEFAULT_SERVER_LIMITS, listen, socketPeer } from '../../server/listen.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { openIdleConnections, type Flood } from '../helpers/socket-flood.ts';
import { readOpenFileLimit } from '../../cli/file-handle-budget.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const LINE = '192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function collector(env: Record<string, string>, limits = DEFAULT_SERVER_LIMITS) {
  const bus = await LocalBus.open({ dir: tempDir('connections') });
  const app = collectorApp({ config: loadConfig({ SITES: 'example.com', ...env }), bus, ingestToken: 'token', peerAddress: socketPeer });
  const server = (await listen(app, { host: '127.0.0.1', port: 0, limits })) as Server;
  cleanups.push(
    () => bus.close(),
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { bus, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, port: (server.address() as AddressInfo).port };
}

const flood = async (port: number, count: number, from: string): Promise<Flood> => {
  const f = await openIdleConnections({ port }, count, from);
  cleanups.push(() => f.destroy());
  return f;
};

const beacon = (base: string) =>
  fetch(`${base}/api/event`, {
    method: 'POST',
    body: JSON.stringify({ site: 'example.com', url: 'https://example.com/a' }),
    headers: { 'content-type': 'text/plain', 'user-agent': UA },
  });

describe('HTTP connection caps', () => {
  it('an idle flood from one address (more sockets than the whole cap) leaves beacons and /healthz from another answered', async () => {
    // The flood's sockets stay until the test ends (the headers timeout would close them after 10 s): what is tested is the cap.
    const limits = { ...DEFAULT_SERVER_LIMITS, headersTimeoutMs: 120_000, requestTimeoutMs: 120_000, trustedProxies: ['127.0.0.3'] };
    const { server, base, port, bus } = await collector({ TRUSTED_PROXIES: '127.0.0.3' }, limits);
    const perClient = DEFAULT_SERVER_LIMITS.maxConnectionsPerClient;
    const total = DEFAULT_SERVER_LIMITS.maxConnections;
    // A trusted proxy carries every visitor's connection: more than one client's share, all kept.
    const proxy = await flood(port, perClient * 2, '127.0.0.3');
    let decided = 0;
    server.on('connection', (s) => s.remoteAddress === '127.0.0.2' && decided++);
    server.on('drop', (d?: { remoteAddress?: string }) => d?.remoteAddress === '127.0.0.2' && decided++);
    const attack = await flood(port, total + 100, '127.0.0.2');
    await waitFor(
      'the server to take or refuse every connection of the flood',
      async () => (decided === total + 100 ? true : undefined),
      20_000,
    );

    for (let i = 0; i < 5; i++) {
      const res = await beacon(base);
      expect(res.status).toBe(202);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    }
    expect(bus.stats().lag).toBe(5);
    await waitFor("the flood cut to one client's share", async () => (attack.open() === perClient ? true : undefined), 20_000);
    expect(proxy.open()).toBe(perClient * 2);
  });

  it('closes a slow-headers (slowloris) connection once the headers timeout passes, long before the request timeout', async () => {
    const { port } = await collector({}, { ...DEFAULT_SERVER_LIMITS, headersTimeoutMs: 1_000, requestTimeoutMs: 60_000 });
    const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
    let answer = '';
    let closed = false;
    socket
      .setEncoding('utf8')
      .on('data', (d) => {
        answer += d;
      })
      .on('close', () => {
        closed = true;
      })
      .on('error', () => undefined);
    cleanups.push(() => {
      socket.destroy();
    });
    await within('the slow connection', new Promise<void>((r) => socket.once('connect', () => r())));
    socket.write('POST /api/event HTTP/1.1\r\nHost: x\r\n');
    // A header line every 200 ms: the connection is never idle, its headers just never end.
    const trickle = setInterval(() => socket.writable && socket.write(`X-Slow-${Date.now()}: 1\r\n`), 200);
    cleanups.push(() => clearInterval(trickle));
    // The old fixed 10 s would still have it open at this deadline (1 s timeout, checked every 250 ms).
    await waitFor('the server to close the slow-headers connection', async () => (closed ? true : undefined), 6_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe('syslog stream connection caps', () => {
  it('caps an idle flood from one sender, closes its idle connections, and still takes a line over TCP and a beacon from another address', async () => {
    // Each connection is two file handles here (both ends in this process): keep well inside the limit.
    const count = Math.min(2_000, Math.floor(((readOpenFileLimit() ?? 4_096) - 1_000) / 2));
    expect(count, 'ulimit -n too low for this test').toBeGreaterThan(500);
    const { bus, base } = await collector({});
    const limits = { maxConnections: 100, maxConnectionsPerSender: 10, idleTimeoutMs: 5_000 };
    const syslog = await testSyslogServer(bus, { limits });
    cleanups.push(() => syslog.close());
    const started = Date.now();
    const attack = await flood(syslog.port, count, '127.0.0.2');
    await waitFor(
      "the flood cut to one sender's share",
      async () => (attack.open() <= limits.maxConnectionsPerSender ? true : undefined),
      20_000,
    );
    // While the flood was opened faster than the idle timeout, none of its admitted sockets left: exactly the cap got in.
    // Every socket admitted holds its place for the idle timeout at least: over the flood's time, each place
    // took one socket, and one more per idle timeout that passed. The rest were refused and counted.
    const rounds = 1 + Math.floor((Date.now() - started) / limits.idleTimeoutMs);
    expect(syslog.counters.dropped.too_many_connections).toBeLessThanOrEqual(count - limits.maxConnectionsPerSender);
    expect(syslog.counters.dropped.too_many_connections).toBeGreaterThanOrEqual(count - limits.maxConnectionsPerSender * rounds);

    const honest = connect({ port: syslog.port, host: '127.0.0.1' });
    honest.on('error', () => undefined);
    cleanups.push(() => {
      honest.destroy();
    });
    honest.write(`<190>Nov 28 10:00:00 h nginx: ${LINE}\n`);
    await waitFor('the honest line on the bus', async () => (syslog.counters.accepted === 1 ? true : undefined), 10_000);
    expect((await beacon(base)).status).toBe(202);
    expect(bus.stats().lag).toBe(2);

    await waitFor('the idle connections closed', async () => (attack.open() === 0 ? true : undefined), limits.idleTimeoutMs * 4);
  });

  it('caps TLS senders before their handshake, closes a handshake that idles, and takes a line over TLS from another address', async () => {
    // A real certificate for 127.0.0.1, made here with openssl.
    const dir = tempDir('syslog-tls-caps');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'));
    const bus = await LocalBus.open({ dir: join(dir, 'bus') });
    cleanups.push(() => bus.close());
    const limits = { maxConnections: 100, maxConnectionsPerSender: 5, idleTimeoutMs: 1_500 };
    const syslog = await testSyslogServer(bus, { limits, tls: { port: 0, key: readFileSync(join(dir, 'key.pem')), cert } });
    cleanups.push(() => syslog.close());
    // Plain TCP to the TLS port, never starting a handshake.
    const attack = await flood(syslog.tlsPort!, 50, '127.0.0.2');
    await waitFor(
      "the flood cut to one sender's share",
      async () => (attack.open() === limits.maxConnectionsPerSender ? true : undefined),
      10_000,
    );
    // Counted once, as refused connections: not again as failed handshakes.
    expect(syslog.counters).toEqual({ received: 45, accepted: 0, dropped: { too_many_connections: 45 } });

    const message = `<190>Nov 28 10:00:00 h nginx: ${LINE}`;
    const honest = connectTls({ host: '127.0.0.1', port: syslog.tlsPort!, ca: cert }, () => {
      honest.write(`${Buffer.byteLength(message)} ${message}`);
    });
    honest.on('error', () => undefined);
    cleanups.push(() => {
      honest.destroy();
    });
    await waitFor('the line over TLS on the bus', async () => (syslog.counters.accepted === 1 ? true : undefined), 10_000);
    await waitFor('the idle handshakes closed', async () => (attack.open() === 0 ? true : undefined), limits.idleTimeoutMs * 6);
    expect(syslog.counters).toEqual({ received: 46, accepted: 1, dropped: { too_many_connections: 45 } });
  });
});
