/**
 * Serves an app with Node's HTTP server (@hono/node-server), with limits on
 * what one client can hold: a request must arrive whole — headers and body —
 * within `requestTimeoutMs` (Node's default is 5 minutes, so a body sent a
 * byte every few seconds held its connection that long), headers within 10 s,
 * and at most `maxConnections` sockets are open at once (more are closed on
 * arrival). A port in use is a clear error.
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Server } from 'node:http';
import type { Context } from 'hono';
import { ScalehouseError } from '../common/errors.ts';

/** The socket's peer address, as the Node adapter knows it. */
export const socketPeer = (c: Context): string => getConnInfo(c).remote.address ?? '';

export interface ServerLimits { requestTimeoutMs: number; maxConnections: number }

export const DEFAULT_SERVER_LIMITS: ServerLimits = { requestTimeoutMs: 30_000, maxConnections: 1000 };

export async function listen(
  app: { fetch: Parameters<typeof serve>[0]['fetch'] },
  opts: { host: string; port: number; limits?: ServerLimits },
): Promise<ReturnType<typeof serve>> {
  const { requestTimeoutMs, maxConnections } = opts.limits ?? DEFAULT_SERVER_LIMITS;
  const server = serve({
    fetch: app.fetch, port: opts.port, hostname: opts.host,
    serverOptions: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(10_000, requestTimeoutMs),
      // Node checks the timeouts above on this interval: a late check lets a slow client stay longer.
      connectionsCheckingInterval: Math.max(250, Math.min(5_000, requestTimeoutMs / 4)),
    },
  });
  (server as Server).maxConnections = maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new ScalehouseError(`port ${opts.port} is in use: stop what uses it or set PORT`)
      : err));
  });
  return server;
}
