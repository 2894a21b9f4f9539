/**
 * `scalehouse start` — embedded mode: collector, local bus, processor and the
 * ClickHouse engine in one process, data under DATA_DIR. SIGTERM/SIGINT stop
 * intake, let the processor finish its batch and release everything.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { loadConfig } from '../../common/config.ts';
import { log, setLogLevel } from '../../common/log.ts';
import { errorMessage } from '../../common/errors.ts';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { createCollectorApp } from '../../collector/app.ts';
import { resolveIngestToken } from '../../collector/ingest-token.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { SaltStore } from '../../processor/salt-store.ts';
import { SessionStore } from '../../processor/session-store.ts';
import { openClickHouse } from '../open-clickhouse.ts';

export async function start(args: string[]): Promise<void> {
  const config = loadConfig(process.env, args);
  setLogLevel(config.LOG_LEVEL);
  await mkdir(config.DATA_DIR, { recursive: true });
  log.info('starting Scalehouse (embedded mode)', { dataDir: config.DATA_DIR, clickhouse: config.CLICKHOUSE_URL || 'embedded' });

  const ch = await openClickHouse(config);
  const bus = await LocalBus.open({ dir: join(config.DATA_DIR, 'bus') });
  const processor = await startProcessor({
    bus, ch,
    salts: SaltStore.inDataDir(config.DATA_DIR),
    sessions: new SessionStore(config.DATA_DIR),
    sessionTimeoutMs: config.SESSION_TIMEOUT_MINUTES * 60_000,
    maxRecords: config.BATCH_MAX_HITS,
  });

  const ingest = await resolveIngestToken(config.INGEST_TOKEN, config.DATA_DIR);
  const counters = { accepted: 0 };
  const app = createCollectorApp({
    config, bus, counters,
    ingestToken: ingest.token,
    peerAddress: (c) => getConnInfo(c).remote.address ?? '',
    readiness: async () => {
      const ping = await ch.client.ping();
      return ping.success ? [] : [`ClickHouse does not answer: ${errorMessage(ping.error)}`];
    },
  });

  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new Error(`port ${config.PORT} is in use: stop what uses it or set PORT`)
      : err));
  });
  const base = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  log.info(`Scalehouse is up on ${base}`, { beacon: `${base}/api/event`, logs: `${base}/api/logs?site=<site>` });
  log.info(ingest.generated
    ? `generated an ingest token for POST /api/logs, kept in ${ingest.path}`
    : `ingest token for POST /api/logs: ${config.INGEST_TOKEN ? 'from INGEST_TOKEN' : `from ${ingest.path}`}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`, { processed: processor.records });
    server.close();
    await bus.close();
    await ch.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
