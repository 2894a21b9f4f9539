/**
 * Caps on the sockets a listener holds: at most `total` at once (Node's
 * `server.maxConnections`, checked before a socket is handed to us), and at
 * most `perClient` from one client — an IPv4 address or an IPv6 /64
 * (client-key.ts) — so one address can never take them all and cut everyone
 * else off. Peers in `uncapped` (trusted proxies: every visitor's connection
 * comes from them) count only towards the total.
 *
 * A socket over the cap is destroyed on arrival, not answered: a reply (an
 * HTTP 503, a syslog line) would be a write the peer need not read, holding
 * the file handle until it drained or timed out, and the client over the cap
 * already holds `perClient` connections on which it is answered.
 * Used by the HTTP server (listen.ts) and the syslog TCP and TLS listeners.
 */
import type { Server, Socket } from 'node:net';
import { addressMatcher } from '../common/config.ts';
import { clientKey } from './client-key.ts';

export interface ConnectionCaps {
  total: number;
  perClient: number;
  /** Addresses and CIDRs not capped as one client (TRUSTED_PROXIES). */
  uncapped?: string[];
}

/** Whether one more connection from `key` may open, given how many it holds; pure. */
export function admits(open: ReadonlyMap<string, number>, key: string, caps: Pick<ConnectionCaps, 'perClient'>): boolean {
  return (open.get(key) ?? 0) < caps.perClient;
}

/**
 * Applies the caps to `server`; `onRefused` hears of every socket refused (either cap). 'connection'
 * listeners run in the order they were added: add a listener that should never see a refused socket
 * after this one. http and tls add theirs when the server is made, so they see it, and then its close.
 */
export function capConnections(
  server: Server,
  caps: ConnectionCaps,
  onRefused: (address: string) => void = () => {},
): { openFrom(address: string): number } {
  server.maxConnections = caps.total;
  // Node ≥ 18.6 emits 'drop' for a socket closed because maxConnections was reached.
  server.on('drop', (data?: { remoteAddress?: string }) => onRefused(data?.remoteAddress ?? ''));
  const isUncapped = addressMatcher(caps.uncapped ?? []);
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (isUncapped(address)) return;
    const key = clientKey(address);
    if (!admits(open, key, caps)) {
      socket.destroy();
      onRefused(address);
      return;
    }
    open.set(key, (open.get(key) ?? 0) + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key); // the map holds only clients with sockets open: it cannot grow without bound
    });
  });
  return { openFrom: (address) => open.get(clientKey(address)) ?? 0 };
}
