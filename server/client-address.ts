/**
 * The client's address: the socket's peer, unless that peer is a trusted
 * proxy, in which case X-Forwarded-For is read from the right, skipping
 * trusted proxies, and the first untrusted address is the client (the
 * left-most entries are whatever the client chose to send, so they are not
 * believed). See MDN "X-Forwarded-For: Selecting an IP address".
 */
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { ServerEnv } from './env.ts';

export function clientAddress(peer: string, forwardedFor: string | undefined, isTrusted: (ip: string) => boolean): string {
  if (!forwardedFor || !isTrusted(peer)) return peer;
  const hops = forwardedFor
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) return peer; // a garbled header from a trusted proxy: fall back to what we know
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? peer;
}

/**
 * Sets `clientAddress` on every request (hono middleware style: a factory returning a named handler).
 * `isTrusted`: server/trusted-proxy.ts, the one the routes served straight from Node use too.
 */
export function clientAddressMiddleware(opts: {
  isTrusted: (address: string) => boolean;
  peerAddress: (c: Context) => string;
}): MiddlewareHandler<ServerEnv> {
  return async function setClientAddress(c, next) {
    c.set('clientAddress', clientAddress(opts.peerAddress(c), c.req.header('x-forwarded-for'), opts.isTrusted));
    await next();
  };
}
