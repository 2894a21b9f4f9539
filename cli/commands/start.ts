/**
 * `scalehouse start` runs every role in one process: collector, processor,
 * dashboard and (embedded mode) the ClickHouse engine. `scalehouse collector`,
 * `processor` and `dashboard` run one role each, for the distributed mode
 * with Kafka between them. Every role serves HTTP on the one shared server
 * (server/app.ts), mounting its routes. SIGTERM/SIGINT stop intake, let the
 * processor finish its batch and commit, and release everything.
 */
import type { Hono } from 'hono';
import { addressMatcher } from '../../common/config.ts';
import { log } from '../../common/log.ts';
import { ScalehouseError, errorMessage } from '../../common/errors.ts';
import { prepareDataDir } from '../../common/data-dir.ts';
import { connectClickHouse, dashboardReads, type ClickHouse } from '../../clickhouse/connect.ts';
import { ping } from '../../clickhouse/query.ts';
import { createServerApp } from '../../server/app.ts';
import type { ServerEnv } from '../../server/env.ts';
import { healthRoutes } from '../../server/health.ts';
import { openApiRoutes } from '../../server/openapi.ts';
import { apiDocument } from '../api-document.ts';
import { bearerIn } from '../../server/bearer.ts';
import { tokenDigest } from '../../common/token-digest.ts';
import { isLoopback } from '../../server/client-key.ts';
import { listen, serverLimits, socketPeer } from '../../server/listen.ts';
import { collectorRoutes } from '../../collector/routes.ts';
import { resolveIngestToken } from '../../collector/ingest-token.ts';
import { checkOpenIntake } from '../../collector/sites.ts';
import { startSyslogServer, type SyslogServer } from '../../collector/syslog/syslog-server.ts';
import { readSyslogTls } from '../../collector/syslog/tls-files.ts';
import { syslogLimits } from '../../collector/syslog/syslog-limits.ts';
import { startProcessorThread } from '../processor-thread/processor-thread.ts';
import { openCountryLookup } from '../../common/country.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from '../../dashboard/auth/login-limiter.ts';
import { passwordNotice, resolveDashboardPassword } from '../../dashboard/auth/password.ts';
import { sessionKey, sessionSigner } from '../../dashboard/auth/session.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { pseudonymiser } from '../../common/pseudonym.ts';
import { commandConfig } from '../command-config.ts';
import { openClickHouse } from '../open-clickhouse.ts';
import { openBus } from '../open-bus.ts';
import { prepareOperations } from '../operations.ts';
import { fileHandleProblem, listenerSockets, readOpenFileLimit } from '../file-handle-budget.ts';

type Roles = { collect: boolean; process: boolean; dashboard: boolean; alert: boolean };

export const start = (args: string[]) => run(args, { collect: true, process: true, dashboard: true, alert: true });
export const collector = (args: string[]) => run(args, { collect: true, process: false, dashboard: false, alert: false });
export const processor = (args: string[]) => run(args, { collect: false, process: true, dashboard: false, alert: false });
export const dashboard = (args: string[]) => run(args, { collect: false, process: false, dashboard: true, alert: false });
/** The alert evaluator alone, beside a cluster: run one. */
export const alerts = (args: string[]) => run(args, { collect: false, process: false, dashboard: false, alert: true });

async function run(args: string[], roles: Roles): Promise<void> {
  const config = commandConfig(args);
  const distributed = config.KAFKA_BROKERS.length > 0;
  if (roles.collect !== roles.process && !distributed) {
    throw new ScalehouseError(
      'running the collector and the processor apart needs Kafka between them: set KAFKA_BROKERS, or run `scalehouse start`',
    );
  }
  if (roles.collect) checkOpenIntake(config);
  // Every role keeps something there (secrets, the bus, the embedded engine): refused if others could plant links in it.
  await prepareDataDir(config.DATA_DIR);
  const openFiles = readOpenFileLimit();
  const handles = openFiles === undefined ? undefined : fileHandleProblem(listenerSockets(config, roles.collect), openFiles);
  if (handles) log.warn(handles);
  const name =
    roles.collect && roles.process
      ? 'Scalehouse'
      : roles.collect
        ? 'collector'
        : roles.process
          ? 'processor'
          : roles.dashboard
            ? 'dashboard'
            : 'alerts';
  log.info(`starting ${name}`, {
    ...(roles.collect || roles.process ? { bus: distributed ? `kafka ${config.KAFKA_BROKERS.join(',')}` : 'local' } : {}),
    clickhouse: config.CLICKHOUSE_URL || 'embedded',
  });

  // Every role reads ClickHouse: the processor and dashboard their tables, the collector the daily
  // salts under which client addresses become pseudonyms before they reach the bus.
  const ch: ClickHouse = await openClickHouse(config);
  const salts = new SaltStore(ch);
  const bus = roles.collect || roles.process ? await openBus(config) : undefined;
  const counters = { accepted: 0, optedOut: 0, refused: {} as Record<string, number> };
  let syslog: SyslogServer | undefined;
  let processing: Awaited<ReturnType<typeof startProcessorThread>> | undefined;
  // Problems and counters on /readyz, and /metrics, for holders of an ingest token or a dashboard API token.
  const ingest = roles.collect ? await resolveIngestToken(config.INGEST_TOKEN, config.DATA_DIR) : undefined;
  const authorized = bearerIn([...(ingest?.tokens ?? []).map(tokenDigest), ...config.DASHBOARD_TOKENS]);
  const ops = await prepareOperations({
    config,
    ch,
    authorized,
    alerts: roles.alert && (config.ALERTS || name === 'alerts'),
    report: roles.collect || roles.process,
    sources: {
      ...(roles.collect ? { intake: () => counters } : {}),
      ...(roles.collect && config.SYSLOG_PORT > 0 ? { syslog: () => syslog?.counters ?? { received: 0, accepted: 0, dropped: {} } } : {}),
      ...(bus ? { bus: () => bus.stats() } : {}),
      ...(roles.process ? { openSessions: () => processing?.openSessions ?? 0 } : {}),
    },
  });
  // The processor runs on its own thread, so intake never waits for it; the bus stays on this one.
  processing =
    bus && roles.process
      ? await startProcessorThread({
          config,
          bus,
          metrics: ops.metrics,
          onFatal: (err) => {
            log.error(`${errorMessage(err)}: stopping. Start Scalehouse again; hits it acknowledged are on the bus and will be loaded.`);
            process.exit(1);
          },
        })
      : undefined;
  let keepSaltsFresh: NodeJS.Timeout | undefined;
  if (roles.collect) {
    if (distributed && !roles.process && !config.CLICKHOUSE_URL) {
      log.warn(
        'this collector keeps its own salts in an embedded engine: set CLICKHOUSE_URL so all collectors and processors share them, or one visitor seen by two collectors counts twice',
      );
    }
    await salts.refresh();
    keepSaltsFresh = setInterval(
      () =>
        salts.refresh().catch((err) => log.warn('cannot refresh the daily salts; the ones held are used', { error: errorMessage(err) })),
      60_000,
    );
  }
  // Countries are looked up here, while the address is known, and travel on the hit as a code.
  const pseudonymise = pseudonymiser(salts.saltFor, Date.now, roles.collect ? await openCountryLookup(config.GEOIP_DB) : undefined);

  const routes: Hono<ServerEnv>[] = [...ops.routes];
  if (bus && ingest) routes.push(collectorRoutes({ config, bus, counters, pseudonymise, ingestTokens: ingest.tokens }));
  routes.push(
    healthRoutes({
      authorized,
      readiness: async () => [...(await ping(ch)), ...(bus?.problems() ?? [])],
      status: () => ({
        ...(bus ? { bus: bus.stats() } : {}),
        accepted: counters.accepted,
        opted_out: counters.optedOut,
        refused: counters.refused,
        ...(syslog ? { syslog: syslog.counters } : {}),
      }),
    }),
  );
  const password = roles.dashboard ? await resolveDashboardPassword(config.DASHBOARD_PASSWORD, config.DATA_DIR) : undefined;
  // The dashboard's goals, funnels and shared links are written as DASHBOARD_CLICKHOUSE_USER when
  // set (server mode: the reader may only read), else through the role's own handle.
  const definitions =
    password && config.DASHBOARD_CLICKHOUSE_USER
      ? await connectClickHouse({
          ...config,
          createDatabase: false,
          CLICKHOUSE_USER: config.DASHBOARD_CLICKHOUSE_USER,
          CLICKHOUSE_PASSWORD: config.DASHBOARD_CLICKHOUSE_PASSWORD,
        })
      : undefined;
  // Its reads run read-only and within limits, on a session of their own when embedded (connect.ts).
  const reads = password
    ? await dashboardReads(ch, config, {
        maxSeconds: config.DASHBOARD_QUERY_MAX_SECONDS,
        maxMemoryBytes: config.DASHBOARD_QUERY_MAX_MEMORY_MB * 1024 ** 2,
        maxResultRows: 100_000,
      })
    : undefined;
  if (password) {
    routes.push(
      dashboardRoutes(
        {
          definitions: definitions ?? ch,
          ch: reads!,
          passwordHash: password.hash,
          sessions: sessionSigner(await sessionKey(config.SESSION_SECRET, config.DATA_DIR), password.fingerprint),
          revoked: await RevokedSessions.open(config.DATA_DIR),
          secureCookies: config.DASHBOARD_SECURE_COOKIES,
          tokenDigests: config.DASHBOARD_TOKENS,
          sites: config.SITES,
          busStats: bus ? () => bus.stats() : undefined,
          realtimeLimits: {
            perCredential: config.DASHBOARD_REALTIME_STREAMS_PER_LOGIN,
            perSite: config.DASHBOARD_REALTIME_STREAMS_PER_SITE,
          },
          // The owner's way in that no flood from elsewhere uses up (login-limiter.ts, docs/security.md).
          limiter: new LoginLimiter(DEFAULT_LOGIN_LIMITS, Date.now, addressMatcher(config.DASHBOARD_ADMIN_NETWORKS)),
        },
        (c) => c.get('clientAddress'),
      ),
    );
  }
  // The document of what this process serves, public (server/openapi.ts).
  routes.push(openApiRoutes(apiDocument({ collect: Boolean(bus && ingest), dashboard: Boolean(password), metrics: !config.METRICS_PORT })));
  const app = createServerApp({
    trustedProxies: config.TRUSTED_PROXIES,
    peerAddress: socketPeer,
    routes,
    observeRequest: ops.metrics.httpRequest,
  });

  syslog =
    roles.collect && bus && config.SYSLOG_PORT > 0
      ? await startSyslogServer({
          host: config.SYSLOG_HOST,
          port: config.SYSLOG_PORT,
          maxBytes: config.SYSLOG_MAX_BYTES,
          bus,
          pseudonymise,
          rules: { siteByTag: config.SYSLOG_SITES, sites: config.SITES, hostFromLine: isLoopback(config.SYSLOG_HOST) },
          allow: addressMatcher(config.SYSLOG_ALLOW),
          tls: await readSyslogTls(config),
          limits: syslogLimits(config),
        }).catch((err: NodeJS.ErrnoException) => {
          throw new ScalehouseError(
            err.code === 'EADDRINUSE'
              ? `syslog port ${config.SYSLOG_PORT} is in use: set SYSLOG_PORT (0 turns syslog off)`
              : errorMessage(err),
          );
        })
      : undefined;
  const server = await listen(app, {
    host: config.HOST,
    port: config.PORT,
    limits: serverLimits(config),
    // Connections refused by the caps show with the intake's refusals (/readyz, scalehouse_hits_refused_total).
    onRefused: () => {
      counters.refused.too_many_connections = (counters.refused.too_many_connections ?? 0) + 1;
    },
  });
  if (syslog)
    log.info(
      `syslog receiver on ${config.SYSLOG_HOST}:${syslog.port} (UDP and TCP)${syslog.tlsPort ? ` and ${syslog.tlsPort} (TLS${config.SYSLOG_TLS_CA ? ', client certificates required' : ''})` : ''}, senders allowed: ${config.SYSLOG_ALLOW.join(', ') || 'none'}`,
    );
  const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  await ops.begin({ role: name, baseUrl: base });
  log.info(
    `${name} is up on ${base}`,
    roles.collect ? { beacon: `${base}/api/event`, logs: `${base}/api/logs?site=<site>` } : { health: `${base}/readyz` },
  );
  if (ingest && !config.INGEST_TOKEN)
    log.info(`ingest token for POST /api/logs ${ingest.generated ? 'generated and ' : ''}kept in ${ingest.path}`);
  if (password) log.info(passwordNotice(password, `${base}/`));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`, { accepted: counters.accepted, processed: processing?.counters.records ?? 0 });
    server.close();
    clearInterval(keepSaltsFresh);
    await ops.close();
    await syslog?.close();
    await bus?.close();
    await definitions?.close();
    if (ch.embedded) await reads?.close();
    await ch.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
