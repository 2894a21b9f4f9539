/**
 * One processor of the Kafka soak (tests/helpers/kafka-soak.ts): the real
 * Kafka bus (lag poller, stall report, watchdog) consuming with the real batch
 * handler, its /readyz and /metrics served as `scalehouse start` serves them
 * (bus-health-server.ts), and its health reports for the alert evaluator.
 * Processors that share one embedded engine share one process, so a process's
 * end is played: `kill()` cuts its broker connections as SIGKILL would
 * (killable-kafka.ts) and its later batches never return; `freeze()` leaves
 * it connected and running, but its next batch handler never returns.
 */
import type { BusBatch } from '../../bus/bus.ts';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { startHealthReports, type HealthReporter } from '../../alerts/health-report.ts';
import { batchReport } from '../../cli/processor-thread/batch-report.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import type { Config } from '../../common/config.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import type { SaltStore } from '../../processor/state/salt-store.ts';
import { serveBusHealth, type BusHealthServer } from './bus-health-server.ts';
import { killableKafka, type KafkaLogEntry } from './killable-kafka.ts';
import { within } from './wait-for.ts';

const MAX_RECORDS = 1000;
const SESSION_TIMEOUT_MS = 30 * 60_000;

export interface SoakProcessor {
  name: string;
  bus: KafkaBus;
  health: BusHealthServer;
  /** Writes its health report to pipeline_health (the test's alert rounds call it; no timer of its own). */
  reporter: HealthReporter;
  /** Records it loaded, and the tokens of the batches it loaded. */
  records: () => number;
  handled: string[];
  /** False once killed: a dead process reports nothing more. */
  alive: () => boolean;
  kill: () => void;
  /** Its next batch never returns; resolves with that batch once it came. */
  freeze: () => Promise<BusBatch>;
  /** Lets it connect again, fails what never returned, and stops it. */
  close: () => Promise<void>;
}

export async function startSoakProcessor(
  name: string,
  deps: { cfg: Config; ch: ClickHouse; salts: SaltStore; logs: KafkaLogEntry[] },
): Promise<SoakProcessor> {
  const { cfg, ch, salts, logs } = deps;
  const { kafka, kill, revive } = killableKafka(cfg.KAFKA_BROKERS, name, logs);
  const bus = await KafkaBus.open(cfg, kafka);
  const health = await serveBusHealth(bus, ch);
  const reporter = startHealthReports(ch, health.metrics.values, { role: 'processor', port: Number(new URL(health.url).port) }, 3_600_000);
  const { prepare, counters } = createBatchHandler({
    ch,
    salts,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    // records_processed in /metrics and the health reports, as the processor thread reports it (cli/processor-thread/).
    onLoaded: (stats, seconds) => health.metrics.batchLoaded(batchReport(stats, seconds)),
  });
  let killed = false;
  let freezing: ((batch: BusBatch) => void) | undefined;
  const hung: ((err: Error) => void)[] = [];
  const hang = () => new Promise<never>((_, reject) => hung.push(reject));
  const handled: string[] = [];
  // The product's two-phase handler (bus/pipeline.ts: the next batch prepared while the last one loads), as
  // the processor thread runs it; killed or frozen, a phase never returns.
  await bus.consume(
    {
      prepare: async (batch) => {
        if (killed) return hang();
        if (freezing) {
          freezing(batch);
          freezing = undefined;
          return hang();
        }
        const prepared = await prepare(batch);
        return {
          load: async () => {
            if (killed) return hang();
            const at = Date.now();
            try {
              await prepared.load();
              handled.push(batch.token);
              logs.push({ at, client: name, level: 5, message: 'batch', fields: { token: batch.token, ms: Date.now() - at } });
            } catch (err) {
              logs.push({ at, client: name, level: 5, message: 'batch failed', fields: { token: batch.token, error: String(err) } });
              throw err;
            }
          },
          discard: () => prepared.discard(),
        };
      },
    },
    { maxRecords: MAX_RECORDS },
  );
  return {
    name,
    bus,
    health,
    reporter,
    records: () => counters.records,
    handled,
    alive: () => !killed,
    kill: () => {
      killed = true;
      kill();
    },
    freeze: () => new Promise((resolve) => (freezing = resolve)),
    close: async () => {
      revive();
      const stopping = within(`${name} to stop`, bus.close(), 60_000);
      // What never returned fails (nothing commits it), again for a batch handed to it while it stops.
      const unfreeze = setInterval(() => {
        for (const reject of hung.splice(0)) reject(new Error('the test is over'));
      }, 100);
      try {
        await stopping;
      } finally {
        clearInterval(unfreeze);
        await health.close();
      }
    },
  };
}
