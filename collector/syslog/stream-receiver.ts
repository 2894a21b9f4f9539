/**
 * One syslog stream connection — plain TCP or TLS (RFC 5425), framed per
 * RFC 6587 — read into the bus: the socket is paused until the bus has its
 * hits (back-pressure instead of loss), bad frames are dropped and counted.
 */
import type { Socket } from 'node:net';
import type { LogHit } from '../../common/hit.ts';
import { backoff } from '../../common/backoff.ts';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { SyslogDrop } from './syslog-to-hit.ts';
import { SyslogTcpDecoder } from './tcp-framing.ts';

export interface StreamReceiver {
  maxBytes: number;
  toHits: (frames: Buffer[], peer: string) => LogHit[];
  publish: (hits: LogHit[]) => Promise<void>;
  drop: (reason: SyslogDrop, n?: number) => void;
  accepted: (n: number) => void;
}

export function receiveStream(socket: Socket, r: StreamReceiver): void {
  const decoder = new SyslogTcpDecoder(r.maxBytes);
  const peer = socket.remoteAddress ?? '';
  socket.on('data', (chunk: Buffer) => {
    const good: Buffer[] = [];
    for (const f of decoder.push(chunk)) {
      if (f.ok) good.push(f.bytes);
      else r.drop(f.reason);
    }
    const hits = r.toHits(good, peer);
    if (hits.length === 0) return;
    socket.pause();
    void (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await r.publish(hits);
          r.accepted(hits.length);
          break;
        } catch (err) {
          if (socket.destroyed || attempt >= 20) { r.drop('bus_unavailable', hits.length); log.warn('syslog stream: bus refused hits', { error: errorMessage(err) }); break; }
          await backoff(attempt);
        }
      }
      socket.resume();
    })();
  });
  socket.on('error', () => socket.destroy());
}
