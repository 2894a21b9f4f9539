/**
 * An unexpected error is logged as the error of the role whose route failed, on the one server
 * every role shares (server/app.ts, handle-error.ts): the collector's and the dashboard's routes
 * mounted together as `scalehouse start` mounts them. The dashboard reads a real engine that is
 * gone; the collector's bus is a stand-in whose publish fails with a bug (no real bus throws a
 * TypeError on demand).
 */
import { afterEach, expect, it, vi } from 'vitest';
import { collectorRoutes } from '../../collector/routes.ts';
import { loadConfig } from '../../common/config.ts';
import { tokenDigest } from '../../common/token-digest.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { sessionSigner } from '../../dashboard/auth/session.ts';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { createServerApp } from '../../server/app.ts';
import { healthRoutes } from '../../server/health.ts';
import type { Bus } from '../../bus/bus.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { testPseudonymiser } from '../helpers/hits.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const stderr = vi.spyOn(process.stderr, 'write'); // watched, still written
afterEach(() => stderr.mockClear());
const logged = () => stderr.mock.calls.map(([line]) => String(line)).filter((l) => l.includes('unexpected error'));

it('names the collector, the dashboard or the server as the role that failed', async () => {
  const ch = await freshClickHouse();
  const brokenBus = {
    publish: async () => {
      throw new TypeError("cannot read properties of undefined (reading 'fd')");
    },
    consume: async () => undefined,
    stats: () => ({}),
    problems: () => [],
    close: async () => undefined,
  } as unknown as Bus;
  const app = createServerApp({
    trustedProxies: [],
    peerAddress: () => '192.0.2.1',
    routes: [
      collectorRoutes({
        config: loadConfig({ SITES: 'example.com' }),
        bus: brokenBus,
        ingestTokens: ['t0ken-of-the-test'],
        counters: { accepted: 0, optedOut: 0, refused: {} },
        pseudonymise: testPseudonymiser(),
      }),
      healthRoutes({
        readiness: async () => {
          throw new RangeError('readiness broke');
        },
        status: () => ({}),
      }),
      dashboardRoutes(
        {
          ch,
          passwordHash: await hashPassword('a password'),
          sessions: sessionSigner(Buffer.alloc(32, 1), 'x'),
          revoked: await RevokedSessions.open(tempDir('revoked')),
          tokenDigests: [tokenDigest('api-token-of-the-test')],
        },
        () => '192.0.2.1',
      ),
    ],
  });
  await ch.close(); // the dashboard's reads now fail

  const beacon = await app.request('/api/event', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ site: 'example.com', url: 'https://example.com/' }),
  });
  expect(beacon.status).toBe(500);
  const stats = await app.request('/api/stats/overview?site=example.com&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z', {
    headers: { authorization: 'Bearer api-token-of-the-test' },
  });
  expect(stats.status).toBe(500);
  const ready = await app.request('/readyz');
  expect(ready.status).toBe(500);
  expect(logged().map((l) => l.match(/unexpected error in (\w+)/)?.[1])).toEqual(['collector', 'dashboard', 'server']);
});
