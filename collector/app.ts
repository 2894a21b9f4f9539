/**
 * The collector: a Hono app that validates hits' shape and size and puts them
 * on the bus. It answers 2xx only after the bus has them durably.
 */
import { Hono } from 'hono';
import type { Bus } from '../bus/bus.ts';
import { addressMatcher, type Config } from '../common/config.ts';
import { clientAddress } from './client-address.ts';
import { handleError, httpError } from './http-error.ts';
import { beaconRoutes } from './routes/beacon.ts';
import { logRoutes } from './routes/logs.ts';
import { healthRoutes } from './routes/health.ts';
import { snippetRoutes } from './routes/snippet.ts';

export interface CollectorDeps {
  config: Pick<Config, 'SITES' | 'BEACON_MAX_BYTES' | 'LOG_BATCH_MAX_BYTES' | 'LOG_LINE_MAX_BYTES' | 'TRUSTED_PROXIES'>;
  bus: Bus;
  ingestToken: string;
  /** Problems that keep the service from being ready (empty: ready). */
  readiness: () => Promise<string[]>;
  counters: { accepted: number };
  /** More to show on /readyz (intake counters such as the syslog receiver's). */
  status?: () => Record<string, unknown>;
  /** Further routes on the same server (the dashboard), added before the 404 handler. */
  mount?: (app: Hono<CollectorEnv>) => void;
  /** false for a processor-only process: health endpoints, no intake. */
  intake?: boolean;
  /** The socket's peer address; the Node adapter supplies it (tests may too). */
  peerAddress: (c: import('hono').Context) => string;
}

export type CollectorEnv = { Variables: { clientAddress: string } };

export function createCollectorApp(deps: CollectorDeps): Hono<CollectorEnv> {
  const app = new Hono<CollectorEnv>();
  const isTrusted = addressMatcher(deps.config.TRUSTED_PROXIES);
  app.use('/api/*', async (c, next) => {
    c.set('clientAddress', clientAddress(deps.peerAddress(c), c.req.header('x-forwarded-for'), isTrusted));
    await next();
  });
  if (deps.intake !== false) {
    app.route('/', beaconRoutes(deps));
    app.route('/', logRoutes(deps));
    app.route('/', snippetRoutes());
  }
  app.route('/', healthRoutes(deps));
  deps.mount?.(app);
  app.notFound(() => httpError(404, 'not_found', 'no such endpoint; see the README for the API').getResponse());
  app.onError(handleError);
  return app;
}
