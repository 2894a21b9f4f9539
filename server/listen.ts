/**
 * Serves an app with Node's HTTP server (@hono/node-server), with limits on
 * what one client can hold: a request must arrive whole — headers and body —
 * within `requestTimeoutMs` (Node's default is 5 minutes, so a body sent a
 * byte every few seconds held its connection that long), its headers within
 * `headersTimeoutMs` (this also closes a connection that never sends a
 * request: Node counts it from the connection's start), a socket on which no
 * byte moves either way for `idleTimeoutMs` is closed (a client that stops
 * reading a response), and at most `maxConnections` sockets are open at once,
 * `maxConnectionsPerClient` of them from one client (connection-caps.ts).
 * A port in use is a clear error.
 */
import { getRequestListener, type serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createServer, type Server } from 'node:http';
import type { Context } from 'hono';
import { loadConfig, type Config } from '../common/config.ts';
import { ScalehouseError } from '../common/errors.ts';
import type { AnswerDirect } from './answer-direct.ts';
import { capConnections } from './connection-caps.ts';

/** The socket's peer address, as the Node adapter knows it. */
export const socketPeer = (c: Context): string => getConnInfo(c).remote.address ?? '';

export interface ServerLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
  /** Proxies whose connections carry many clients' requests: not capped as one client (TRUSTED_PROXIES). */
  trustedProxies?: string[];
}

type LimitSettings =
  | 'HTTP_REQUEST_TIMEOUT_SECONDS'
  | 'HTTP_HEADERS_TIMEOUT_SECONDS'
  | 'HTTP_IDLE_TIMEOUT_SECONDS'
  | 'HTTP_MAX_CONNECTIONS'
  | 'HTTP_MAX_CONNECTIONS_PER_CLIENT'
  | 'TRUSTED_PROXIES';

export function serverLimits(config: Pick<Config, LimitSettings>): ServerLimits {
  return {
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000,
    idleTimeoutMs: config.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    maxConnectionsPerClient: config.HTTP_MAX_CONNECTIONS_PER_CLIENT,
    trustedProxies: config.TRUSTED_PROXIES,
  };
}

/** The limits of the settings' defaults (common/config.ts), for servers started without a configuration. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = serverLimits(loadConfig({}));

export async function listen(
  /** `answerDirect` (server/app.ts): the routes Node answers before Hono's adapter sees the request. */
  app: { fetch: Parameters<typeof serve>[0]['fetch']; answerDirect?: AnswerDirect },
  opts: { host: string; port: number; limits?: ServerLimits; onRefused?: (address: string) => void },
): Promise<ReturnType<typeof serve>> {
  const limits = opts.limits ?? DEFAULT_SERVER_LIMITS;
  // Node refuses a headers timeout longer than the request timeout (ERR_OUT_OF_RANGE).
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  // What @hono/node-server's serve() does, with the direct routes asked first.
  const hono = getRequestListener(app.fetch, { hostname: opts.host });
  const direct = app.answerDirect;
  const server: Server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout,
      // Node checks the two timeouts above on this interval: a late check lets a slow client stay longer.
      connectionsCheckingInterval: Math.max(250, Math.min(5_000, headersTimeout / 4)),
      // Between requests on a kept-alive connection (Node's default, 5 s), never longer than idle.
      keepAliveTimeout: Math.min(5_000, limits.idleTimeoutMs),
    },
    direct ? (req, res) => direct(req, res) || void hono(req, res) : hono,
  );
  // http.Server sets this on every socket (socket.setTimeout) and destroys it when it fires with no
  // 'timeout' listener: it catches what the timeouts above do not — a client that stops reading.
  server.timeout = limits.idleTimeoutMs;
  capConnections(
    server,
    { total: limits.maxConnections, perClient: limits.maxConnectionsPerClient, uncapped: limits.trustedProxies },
    opts.onRefused,
  );
  server.listen(opts.port, opts.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ScalehouseError(`port ${opts.port} is in use: stop what uses it or set PORT`) : err),
    );
  });
  return server as ReturnType<typeof serve>;
}
