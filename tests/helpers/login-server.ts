/**
 * The dashboard's login on a real server on 127.0.0.1, as `scalehouse start`
 * serves it (client address from the socket), and logins sent from a chosen
 * source address of 127.0.0.0/8 (`localAddress`): real attackers and owners.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { addressMatcher } from '../../common/config.ts';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from '../../dashboard/auth/login-limiter.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { sessionSigner } from '../../dashboard/auth/session.ts';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { createServerApp } from '../../server/app.ts';
import { listen, socketPeer } from '../../server/listen.ts';
import { tempDir } from './temp-dir.ts';
import { within } from './wait-for.ts';

/** DASHBOARD_ADMIN_NETWORKS' default: loopback's own address, where an ssh tunnel arrives; 127.0.0.2 and on are strangers. */
export const ADMIN_NETWORKS = ['127.0.0.1', '::1'];

export interface LoginServer {
  base: string;
  close: () => void;
}

/** A dashboard whose password has the scrypt hash `passwordHash`, its limits on `clock`. */
export async function serveLogin(ch: ClickHouse, passwordHash: string, clock: () => number = Date.now): Promise<LoginServer> {
  const routes = dashboardRoutes(
    {
      ch,
      passwordHash,
      sessions: sessionSigner(Buffer.alloc(32, 3), 'login tests'),
      revoked: await RevokedSessions.open(tempDir('revoked')),
      limiter: new LoginLimiter(DEFAULT_LOGIN_LIMITS, clock, addressMatcher(ADMIN_NETWORKS)),
    },
    (c) => c.get('clientAddress'),
  );
  const server = await listen(createServerApp({ trustedProxies: [], peerAddress: socketPeer, routes: [routes] }), {
    host: '127.0.0.1',
    port: 0,
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

export interface Answer {
  status: number;
  retryAfter: number | undefined;
  body: string;
}

/** POST /login from the source address `from` (a connection of its own, so it is bound to that address). */
export function postLogin(base: string, from: string, body: string, contentType = 'application/json'): Promise<Answer> {
  return within(
    `a login from ${from}`,
    new Promise((resolve, reject) => {
      const req = httpRequest(
        `${base}/login`,
        { method: 'POST', localAddress: from, agent: false, headers: { 'content-type': contentType } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              retryAfter: res.headers['retry-after'] ? Number(res.headers['retry-after']) : undefined,
              body: text,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    }),
    60_000,
  );
}

/** A login as the dashboard's script sends it (JSON). */
export const login = (base: string, from: string, password: unknown): Promise<Answer> =>
  postLogin(base, from, JSON.stringify({ password }));
