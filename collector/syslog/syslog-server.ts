/**
 * The syslog receiver: UDP and TCP on one port (SYSLOG_PORT), and TLS
 * (RFC 5425) on its own port when configured (SYSLOG_TLS_PORT). Messages
 * become log Hits on the bus; what cannot be used is dropped and counted by
 * reason, and nothing a sender does can crash the receiver.
 *
 * UDP cannot be acknowledged: a datagram lost on the network, or arriving
 * while the bus refuses hits, is gone (counted as bus_unavailable when we
 * know). Streams get back-pressure instead (stream-receiver.ts). UDP and
 * plain TCP carry no credential (a UDP source address can be forged): across
 * machines, use TLS — with SYSLOG_TLS_CA, only senders holding a certificate
 * that CA signed may connect — or HTTP with a token (docs/nginx.md).
 *
 * Streams are capped per listener and per sender address, and closed when
 * idle (syslog-limits.ts): with neither, 20,000 idle connections took every
 * file handle of the process and every HTTP request failed with it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as StreamSocket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Bus } from '../../bus/bus.ts';
import type { LogHit } from '../../common/hit.ts';
import type { Pseudonymiser } from '../../common/pseudonym.ts';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { syslogToHit, type SyslogDrop, type SyslogSiteRules } from './syslog-to-hit.ts';
import { receiveStream, type StreamReceiver } from './stream-receiver.ts';
import { DEFAULT_SYSLOG_LIMITS, type SyslogLimits } from './syslog-limits.ts';
import { capConnections } from '../../server/connection-caps.ts';

export interface SyslogCounters {
  received: number;
  accepted: number;
  dropped: Partial<Record<SyslogDrop, number>>;
}

export interface SyslogServer {
  port: number;
  tlsPort?: number;
  counters: SyslogCounters;
  close(): Promise<void>;
}

export async function startSyslogServer(opts: {
  host: string;
  port: number;
  maxBytes: number;
  rules: SyslogSiteRules;
  bus: Bus;
  /** Client addresses become pseudonyms before a hit reaches the bus. */
  pseudonymise: Pseudonymiser;
  /** Senders allowed (syslog has no token, so this is its access control); absent: anyone who can reach the port. */
  allow?: (address: string) => boolean;
  /** TLS (RFC 5425) on its own port: key and certificate, and a CA whose client certificates are required. */
  tls?: { port: number; key: Buffer; cert: Buffer; ca?: Buffer };
  /** Connection caps and the idle timeout of the stream listeners; absent: the settings' defaults. */
  limits?: SyslogLimits;
}): Promise<SyslogServer> {
  const limits = opts.limits ?? DEFAULT_SYSLOG_LIMITS;
  const counters: SyslogCounters = { received: 0, accepted: 0, dropped: {} };
  const drop = (reason: SyslogDrop, n = 1) => (counters.dropped[reason] = (counters.dropped[reason] ?? 0) + n);

  const toHits = (frames: Buffer[], peer: string): LogHit[] => {
    const hits: LogHit[] = [];
    const now = Date.now();
    for (const bytes of frames) {
      counters.received++;
      if (bytes.length > opts.maxBytes) {
        drop('oversized');
        continue;
      }
      const r = syslogToHit(bytes, peer, opts.rules, now);
      if ('hit' in r) hits.push(opts.pseudonymise.hit(r.hit));
      else drop(r.drop);
    }
    return hits;
  };

  // UDP: gather datagrams for a few milliseconds into one publish.
  let udpQueue: LogHit[] = [];
  let udpTimer: NodeJS.Timeout | undefined;
  const flushUdp = () => {
    udpTimer = undefined;
    const hits = udpQueue;
    udpQueue = [];
    opts.bus.publish(hits).then(
      () => {
        counters.accepted += hits.length;
      },
      () => drop('bus_unavailable', hits.length),
    );
  };
  const udp: Socket = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  udp.on('message', (msg, rinfo) => {
    if (opts.allow && !opts.allow(rinfo.address)) {
      counters.received++;
      drop('not_allowed');
      return;
    }
    udpQueue.push(...toHits([msg], rinfo.address));
    if (udpQueue.length && !udpTimer) udpTimer = setTimeout(flushUdp, 10);
  });
  udp.on('error', (err) => log.warn('syslog UDP socket error', { error: errorMessage(err) }));

  // Streams (TCP, TLS): frames per RFC 6587; a socket is paused until the bus has its hits.
  const sockets = new Set<StreamSocket>();
  const receiver: StreamReceiver = {
    maxBytes: opts.maxBytes,
    idleTimeoutMs: limits.idleTimeoutMs,
    toHits,
    publish: (hits) => opts.bus.publish(hits),
    drop: (reason, n = 1) => {
      if (reason !== 'bus_unavailable') counters.received += n;
      drop(reason, n);
    },
    accepted: (n) => {
      counters.accepted += n;
    },
  };
  const onStream = (socket: StreamSocket) => {
    if (socket.destroyed) return; // refused by the caps, whose listener runs first
    if (opts.allow && !opts.allow(socket.remoteAddress ?? '')) {
      counters.received++;
      drop('not_allowed');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    receiveStream(socket, receiver);
  };
  // Refused connections are counted as one message each, as refused senders are (not_allowed).
  const refused = () => {
    counters.received++;
    drop('too_many_connections');
  };
  const caps = { total: limits.maxConnections, perClient: limits.maxConnectionsPerSender };
  const tcp: Server = createServer();
  capConnections(tcp, caps, refused);
  tcp.on('connection', onStream);
  tcp.on('error', (err) => log.warn('syslog TCP server error', { error: errorMessage(err) }));
  const tlsOptions: TlsOptions | undefined = opts.tls && {
    key: opts.tls.key,
    cert: opts.tls.cert,
    minVersion: 'TLSv1.2',
    // A handshake is idle time too (Node's default allows 120 s).
    handshakeTimeout: Math.min(120_000, limits.idleTimeoutMs),
    ...(opts.tls.ca ? { ca: opts.tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
  const tls = tlsOptions ? createTlsServer(tlsOptions, onStream) : undefined;
  // On the TCP sockets under TLS: a sender is capped before it costs a handshake.
  if (tls) capConnections(tls, caps, refused);
  // A handshake refused (no or a wrong certificate) counts as not_allowed; a connection that ended before its
  // handshake (ECONNRESET: closed by the caps, already counted, or by the sender) or idled through it is no sender
  // refused. Node only emits the handshake timeout (_tls_wrap.js _handleTimeout): the socket is ours to destroy.
  tls?.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    socket.destroy();
    if (err.code === 'ECONNRESET' || err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return;
    counters.received++;
    drop('not_allowed');
  });
  tls?.on('error', (err) => log.warn('syslog TLS server error', { error: errorMessage(err) }));

  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, opts.host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;
  const listen = (server: Server, at: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, opts.host, () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  await listen(tcp, port);
  const tlsPort = tls && opts.tls ? await listen(tls, opts.tls.port) : undefined;

  return {
    port,
    tlsPort,
    counters,
    close: async () => {
      if (udpTimer) {
        clearTimeout(udpTimer);
        flushUdp();
      }
      await new Promise<void>((r) => udp.close(() => r()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      if (tls) await new Promise<void>((r) => tls.close(() => r()));
    },
  };
}
