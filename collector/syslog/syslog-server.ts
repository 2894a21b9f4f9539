/**
 * The syslog receiver: UDP and TCP on one port (SYSLOG_PORT). Messages become
 * log Hits on the bus; what cannot be used is dropped and counted by reason,
 * and nothing a sender does can crash the receiver.
 *
 * UDP cannot be acknowledged: a datagram lost on the network, or arriving
 * while the bus refuses hits, is gone (counted as bus_unavailable when we
 * know). TCP gets back-pressure instead: while the bus has not taken a
 * connection's hits, that connection is not read. Where loss matters, send
 * over TCP or HTTP (docs/nginx.md).
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server } from 'node:net';
import type { Bus } from '../../bus/bus.ts';
import type { LogHit } from '../../common/hit.ts';
import type { Pseudonymiser } from '../../common/pseudonym.ts';
import { errorMessage } from '../../common/errors.ts';
import { backoff } from '../../common/backoff.ts';
import { log } from '../../common/log.ts';
import { syslogToHit, type SyslogDrop, type SyslogSiteRules } from './syslog-to-hit.ts';
import { SyslogTcpDecoder } from './tcp-framing.ts';

export interface SyslogCounters { received: number; accepted: number; dropped: Partial<Record<SyslogDrop, number>> }

export interface SyslogServer { port: number; counters: SyslogCounters; close(): Promise<void> }

export async function startSyslogServer(opts: {
  host: string; port: number; maxBytes: number; rules: SyslogSiteRules; bus: Bus;
  /** Client addresses become pseudonyms before a hit reaches the bus. */
  pseudonymise: Pseudonymiser;
  /** Senders allowed (syslog has no token, so this is its access control); absent: anyone who can reach the port. */
  allow?: (address: string) => boolean;
}): Promise<SyslogServer> {
  const counters: SyslogCounters = { received: 0, accepted: 0, dropped: {} };
  const drop = (reason: SyslogDrop, n = 1) => (counters.dropped[reason] = (counters.dropped[reason] ?? 0) + n);

  const toHits = (frames: Buffer[], peer: string): LogHit[] => {
    const hits: LogHit[] = [];
    const now = Date.now();
    for (const bytes of frames) {
      counters.received++;
      if (bytes.length > opts.maxBytes) { drop('oversized'); continue; }
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
    opts.bus.publish(hits).then(() => { counters.accepted += hits.length; }, () => drop('bus_unavailable', hits.length));
  };
  const udp: Socket = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  udp.on('message', (msg, rinfo) => {
    if (opts.allow && !opts.allow(rinfo.address)) { counters.received++; drop('not_allowed'); return; }
    udpQueue.push(...toHits([msg], rinfo.address));
    if (udpQueue.length && !udpTimer) udpTimer = setTimeout(flushUdp, 10);
  });
  udp.on('error', (err) => log.warn('syslog UDP socket error', { error: errorMessage(err) }));

  // TCP: frames per RFC 6587; the socket is paused until the bus has its hits.
  const sockets = new Set<import('node:net').Socket>();
  const tcp: Server = createServer((socket) => {
    if (opts.allow && !opts.allow(socket.remoteAddress ?? '')) { counters.received++; drop('not_allowed'); socket.destroy(); return; }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const decoder = new SyslogTcpDecoder(opts.maxBytes);
    const peer = socket.remoteAddress ?? '';
    socket.on('data', (chunk) => {
      const frames = decoder.push(chunk);
      const good: Buffer[] = [];
      for (const f of frames) {
        if (f.ok) good.push(f.bytes);
        else { counters.received++; drop(f.reason); }
      }
      const hits = toHits(good, peer);
      if (hits.length === 0) return;
      socket.pause();
      void (async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            await opts.bus.publish(hits);
            counters.accepted += hits.length;
            break;
          } catch (err) {
            if (socket.destroyed || attempt >= 20) { drop('bus_unavailable', hits.length); log.warn('syslog TCP: bus refused hits', { error: errorMessage(err) }); break; }
            await backoff(attempt);
          }
        }
        socket.resume();
      })();
    });
    socket.on('error', () => socket.destroy());
  });
  tcp.on('error', (err) => log.warn('syslog TCP server error', { error: errorMessage(err) }));

  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, opts.host, () => { udp.off('error', reject); resolve(); });
  });
  const port = udp.address().port;
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, opts.host, () => { tcp.off('error', reject); resolve(); });
  });

  return {
    port,
    counters,
    close: async () => {
      if (udpTimer) { clearTimeout(udpTimer); flushUdp(); }
      await new Promise<void>((r) => udp.close(() => r()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}
