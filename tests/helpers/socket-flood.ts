/**
 * Idle TCP connections from one loopback address, as an attacker holds them:
 * opened in batches (the listen backlog is 511 and a full backlog only makes
 * connects wait), each remembering whether it is still open, and destroyed
 * together. Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.2 is another
 * client of a server on 127.0.0.1.
 */
import { connect, type Socket } from 'node:net';
import { within } from './wait-for.ts';

export interface Flood {
  sockets: Socket[];
  open(): number;
  destroy(): void;
}

export async function openIdleConnections(to: { port: number; host?: string }, count: number, localAddress: string): Promise<Flood> {
  const sockets: Socket[] = [];
  const closed = new Set<Socket>();
  for (let i = 0; i < count; i += 200) {
    const batch = Array.from({ length: Math.min(200, count - i) }, () => {
      const socket = connect({ port: to.port, host: to.host ?? '127.0.0.1', localAddress });
      // Flowing, so a close from the server is seen ('close' waits for 'end', which waits for the data to be read).
      socket
        .on('error', () => undefined)
        .on('close', () => closed.add(socket))
        .resume();
      return socket;
    });
    await within(
      `${batch.length} connections from ${localAddress}`,
      Promise.all(
        batch.map(
          (s) =>
            new Promise<void>((r) => {
              s.once('connect', () => r());
              s.once('close', () => r());
            }),
        ),
      ),
      20_000,
    );
    sockets.push(...batch);
  }
  return { sockets, open: () => sockets.length - closed.size, destroy: () => sockets.forEach((s) => s.destroy()) };
}
