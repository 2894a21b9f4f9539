/**
 * The dashboard's routes in process (app.request), as `scalehouse start`
 * mounts them: reads through a read-limited handle, the dashboard's own
 * settings through a session of their own, a login cookie and an API token.
 */
import { Hono } from 'hono';
import { withReadLimits, type ClickHouse } from '../../clickhouse/connect.ts';
import { tokenDigest } from '../../common/token-digest.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { SESSION_COOKIE, sessionSigner } from '../../dashboard/auth/session.ts';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { handleError, notFound } from '../../server/handle-error.ts';
import { anotherSession } from './clickhouse.ts';
import { tempDir } from './temp-dir.ts';

export const API_TOKEN = 'api-token-of-the-dashboard-tests';

export interface TestDashboard {
  app: Hono;
  /** A Cookie header of a logged-in browser. */
  cookie: string;
  /** Headers of a logged-in browser on the dashboard's own page (what state-changing requests send). */
  browser: Record<string, string>;
  definitions: ClickHouse;
  /** The address requests come from (login limits count per address). */
  client: { address: string };
}

export async function testDashboard(ch: ClickHouse): Promise<TestDashboard> {
  const signer = sessionSigner(Buffer.alloc(32, 5), 'the password of these tests');
  const definitions = await anotherSession(ch);
  const client = { address: '192.0.2.10' };
  const app = new Hono();
  app.route(
    '/',
    dashboardRoutes(
      {
        ch: withReadLimits(ch, { maxSeconds: 30, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 100_000 }),
        definitions,
        passwordHash: await hashPassword('the dashboard password'),
        sessions: signer,
        revoked: await RevokedSessions.open(tempDir('revoked')),
        tokenDigests: [tokenDigest(API_TOKEN)],
      },
      () => client.address,
    ),
  );
  app.notFound(() => notFound());
  app.onError(handleError);
  const cookie = `${SESSION_COOKIE}=${signer.issue()}`;
  return { app, cookie, browser: { cookie, 'sec-fetch-site': 'same-origin' }, definitions, client };
}
