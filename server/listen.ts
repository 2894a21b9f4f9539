/** Serves an app with Node's HTTP server (@hono/node-server); a port in use is a clear error. */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { ScalehouseError } from '../common/errors.ts';

/** The socket's peer address, as the Node adapter knows it. */
export const socketPeer = (c: Context): string => getConnInfo(c).remote.address ?? '';

export async function listen(app: { fetch: Parameters<typeof serve>[0]['fetch'] }, opts: { host: string; port: number }): Promise<ReturnType<typeof serve>> {
  const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new ScalehouseError(`port ${opts.port} is in use: stop what uses it or set PORT`)
      : err));
  });
  return server;
}
