/**
 * The collector's intake as `scalehouse start` serves it — the shared server
 * (server/app.ts) with the collector's routes and health — for in-process
 * tests (app.request, as Hono's own tests do).
 */
import type { Context } from 'hono';
import type { Bus } from '../../bus/bus.ts';
import type { Config } from '../../common/config.ts';
import { collectorRoutes } from '../../collector/routes.ts';
import { createServerApp } from '../../server/app.ts';
import { healthRoutes } from '../../server/health.ts';
import { testPseudonymiser } from './hits.ts';

export function collectorApp(opts: { config: Config; bus: Bus; ingestToken: string | string[]; peerAddress: (c: Context) => string }) {
  const counters = { accepted: 0, optedOut: 0, refused: {} as Record<string, number> };
  return createServerApp({
    trustedProxies: opts.config.TRUSTED_PROXIES,
    peerAddress: opts.peerAddress,
    routes: [
      collectorRoutes({
        config: opts.config,
        bus: opts.bus,
        ingestTokens: [opts.ingestToken].flat(),
        counters,
        pseudonymise: testPseudonymiser(),
      }),
      healthRoutes({
        readiness: async () => [],
        status: () => ({ bus: opts.bus.stats(), accepted: counters.accepted, refused: counters.refused }),
      }),
    ],
  });
}
