/**
 * `scalehouse start` runs every role in one process: collector, processor and
 * (embedded mode) the ClickHouse engine. `scalehouse collector` and
 * `scalehouse processor` run one role each, for the distributed mode with
 * Kafka between them. SIGTERM/SIGINT stop intake, let the processor finish
 * its batch and commit, and release everything.
 */
import { mkdir } from 'node:fs/promises';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { loadConfig, addressMatcher, type Config } from '../../common/config.ts';
import { log, setLogLevel } from '../../common/log.ts';
import { ScalehouseError, errorMessage } from '../../common/errors.ts';
import { createCollectorApp } from '../../collector/app.ts';
import { clientAddress } from '../../collector/client-address.ts';
import { resolveIngestToken } from '../../collector/ingest-token.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { SaltStore } from '../../processor/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { openClickHouse } from '../open-clickhouse.ts';
import { openBus } from '../open-bus.ts';
import { dashboardRoutes } from '../../dashboard/app.ts';
import { resolveDashboardPassword } from '../../dashboard/auth/password.ts';
import { sessionKey } from '../../dashboard/auth/session.ts';
import type { Bus } from '../../bus/bus.ts';
import type { Context } from 'hono';

/** A dashboard-only process has no bus; intake routes are off there, so this is never published to. */
const noBus: Bus = {
  publish: async () => { throw new ScalehouseError('this process has no bus'); },
  consume: async () => {},
  stats: () => ({ lag: 0, bytes: 0 }),
  close: async () => {},
};
import { startSyslogServer } from '../../collector/syslog/syslog-server.ts';

type Roles = { collect: boolean; process: boolean; dashboard: boolean };

export const start = (args: string[]) => run(args, { collect: true, process: true, dashboard: true });
export const collector = (args: string[]) => run(args, { collect: true, process: false, dashboard: false });
export const processor = (args: string[]) => run(args, { collect: false, process: true, dashboard: false });
export const dashboard = (args: string[]) => run(args, { collect: false, process: false, dashboard: true });

async function run(args: string[], roles: Roles): Promise<void> {
  const config = loadConfig(process.env, args);
  setLogLevel(config.LOG_LEVEL);
  const distributed = config.KAFKA_BROKERS.length > 0;
  if (roles.collect !== roles.process && !distributed) {
    throw new ScalehouseError('running the collector and the processor apart needs Kafka between them: set KAFKA_BROKERS, or run `scalehouse start`');
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const name = roles.collect && roles.process ? 'Scalehouse' : roles.collect ? 'collector' : roles.process ? 'processor' : 'dashboard';
  log.info(`starting ${name}`, { bus: distributed ? `kafka ${config.KAFKA_BROKERS.join(',')}` : 'local', clickhouse: config.CLICKHOUSE_URL || 'embedded' });

  const ch: ClickHouse | undefined = roles.process || roles.dashboard ? await openClickHouse(config) : undefined;
  const bus = roles.collect || roles.process ? await openBus(config) : undefined;
  const processed = ch && bus && roles.process ? await startProcessor({
    bus, ch, salts: new SaltStore(ch), sessionTimeoutMs: config.SESSION_TIMEOUT_MINUTES * 60_000, maxRecords: config.BATCH_MAX_HITS,
  }) : undefined;

  const ingest = await resolveIngestToken(config.INGEST_TOKEN, config.DATA_DIR);
  const password = roles.dashboard ? await resolveDashboardPassword(config.DASHBOARD_PASSWORD, config.DATA_DIR) : undefined;
  const key = roles.dashboard ? await sessionKey(config.SESSION_SECRET, config.DATA_DIR) : undefined;
  const peerAddress = (c: Context) => getConnInfo(c).remote.address ?? '';
  // Behind a trusted proxy, the visitor's address (for the login limiter) is in X-Forwarded-For.
  const isTrustedProxy = addressMatcher(config.TRUSTED_PROXIES);
  const visitorAddress = (c: Context) => clientAddress(peerAddress(c), c.req.header('x-forwarded-for'), isTrustedProxy);
  const counters = { accepted: 0 };
  let syslog: Awaited<ReturnType<typeof startSyslogServer>> | undefined;
  const app = createCollectorApp({
    config, bus: bus ?? noBus, counters, intake: roles.collect,
    mount: ch && password && key ? (app) => app.route('/', dashboardRoutes({ ch, passwordHash: password.hash, sessionKey: key, tokenDigests: config.DASHBOARD_TOKENS, busStats: bus ? () => bus.stats() : undefined }, visitorAddress)) : undefined,
    status: () => (syslog ? { syslog: syslog.counters } : {}),
    ingestToken: ingest.token,
    peerAddress,
    readiness: async () => {
      if (!ch) return [];
      const ping = await ch.client.ping();
      return ping.success ? [] : [`ClickHouse does not answer: ${errorMessage(ping.error)}`];
    },
  });
  syslog = roles.collect && bus && config.SYSLOG_PORT > 0
    ? await startSyslogServer({
      host: config.SYSLOG_HOST, port: config.SYSLOG_PORT, maxBytes: config.SYSLOG_MAX_BYTES, bus,
      rules: { siteByTag: config.SYSLOG_SITES, sites: config.SITES }, allow: addressMatcher(config.SYSLOG_ALLOW),
    })
        .catch((err: NodeJS.ErrnoException) => {
          throw new ScalehouseError(err.code === 'EADDRINUSE' ? `syslog port ${config.SYSLOG_PORT} is in use: set SYSLOG_PORT (0 turns syslog off)` : errorMessage(err));
        })
    : undefined;
  const server = await listen(app.fetch, config);
  if (syslog) log.info(`syslog receiver on ${config.SYSLOG_HOST}:${syslog.port} (UDP and TCP), senders allowed: ${config.SYSLOG_ALLOW.join(', ') || 'none'}`);
  const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  log.info(`${name} is up on ${base}`, roles.collect ? { beacon: `${base}/api/event`, logs: `${base}/api/logs?site=<site>` } : { health: `${base}/readyz` });
  if (roles.collect && !config.INGEST_TOKEN) log.info(`ingest token for POST /api/logs ${ingest.generated ? 'generated and ' : ''}kept in ${ingest.path}`);
  if (password?.generated) log.info(`dashboard: ${base}/ — password ${password.generated} (shown once; only its hash is kept in ${password.path}; set DASHBOARD_PASSWORD to choose your own)`);
  else if (roles.dashboard) log.info(`dashboard: ${base}/`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`, { accepted: counters.accepted, processed: processed?.records ?? 0 });
    server.close();
    await syslog?.close();
    await bus?.close();
    await ch?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: Config) {
  const server = serve({ fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new ScalehouseError(`port ${config.PORT} is in use: stop what uses it or set PORT`)
      : err));
  });
  return server;
}
