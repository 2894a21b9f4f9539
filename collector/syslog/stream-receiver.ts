/**
 * One syslog stream connection — plain TCP or TLS (RFC 5425), framed per
 * RFC 6587 — read into the bus: the socket is paused until the bus has its
 * hits (back-pressure instead of loss), bad frames are dropped and counted,
 * and a connection that sends nothing for `idleTimeoutMs` is closed — but
 * not while its hits wait for the bus: it is paused by us, not idle.
 */
import type { Socket } from 'node:net';
import type { LogHit } from '../../common/hit.ts';
import { backoff } from '../../common/backoff.ts';
import { errorMessage, isRetriable } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { SyslogDrop } from './syslog-to-hit.ts';
import { SyslogTcpDecoder } from './tcp-framing.ts';

export interface StreamReceiver {
  maxBytes: number;
  idleTimeoutMs: number;
  toHits: (frames: Buffer[], peer: string) => LogHit[];
  publish: (hits: LogHit[]) => Promise<void>;
  drop: (reason: SyslogDrop, n?: number) => void;
  accepted: (n: number) => void;
}

export function receiveStream(socket: Socket, r: StreamReceiver): void {
  const decoder = new SyslogTcpDecoder(r.maxBytes);
  const peer = socket.remoteAddress ?? '';
  let publishing = false;
  // socket.setTimeout counts inactivity in both directions and only emits 'timeout': closing is ours to do.
  socket.setTimeout(r.idleTimeoutMs);
  socket.on('timeout', () => {
    if (!publishing) socket.destroy();
  });
  socket.on('data', (chunk: Buffer) => {
    const good: Buffer[] = [];
    for (const f of decoder.push(chunk)) {
      if (f.ok) good.push(f.bytes);
      else r.drop(f.reason);
    }
    const hits = r.toHits(good, peer);
    if (hits.length === 0) return;
    socket.pause();
    publishing = true;
    void (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await r.publish(hits);
          r.accepted(hits.length);
          break;
        } catch (err) {
          if (socket.destroyed || attempt >= 20 || !isRetriable(err)) {
            r.drop('bus_unavailable', hits.length);
            log.warn('syslog stream: bus refused hits', { error: errorMessage(err) });
            break;
          }
          await backoff(attempt);
        }
      }
      publishing = false;
      socket.setTimeout(r.idleTimeoutMs); // the idle clock starts again now, whether or not it ran out meanwhile
      socket.resume();
    })();
  });
  socket.on('error', () => socket.destroy());
}
