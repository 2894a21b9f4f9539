/**
 * The Prometheus metrics of a Scalehouse process (prom-client), one catalogue
 * for every role. What the collector and the bus already count (intake
 * counters, syslog counters, bus stats) is read when scraped, so /readyz and
 * /metrics can never disagree; what happens per batch on the processor
 * thread is observed here as its reports arrive. Names follow Prometheus
 * conventions: `_total` counters, base units (seconds, bytes).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricValues } from '../common/metric-values.ts';

export interface MetricSources {
  intake?: () => { accepted: number; optedOut: number; refused: Record<string, number> };
  syslog?: () => { received: number; accepted: number; dropped: Partial<Record<string, number>> };
  bus?: () => {
    lag: number;
    bytes: number;
    diskFree?: number;
    failing?: Array<{ since: number; attempts: number }>;
    partitions?: Array<{ partition: number; lag: number; stalled: boolean }>;
    consumerRestarts?: number;
  };
  /** Sessions the processor holds open, as of its last batch. */
  openSessions?: () => number;
  /** Alerts firing now, by rule. */
  alertsFiring?: () => Record<string, number>;
}

/** What the processor says about one batch it loaded. */
export interface BatchReport {
  records: number;
  events: number;
  dropped: Record<string, number>;
  deadLetters: Record<string, number>;
  loadSeconds: number;
}

export interface Metrics {
  registry: Registry;
  /** Every metric's values now, as plain data. */
  values(): Promise<MetricValues[]>;
  batchLoaded(report: BatchReport): void;
  batchFailed(): void;
  notification(outcome: 'sent' | 'failed'): void;
  /** One HTTP request answered (server/request-timing.ts). */
  httpRequest(route: string, status: number, seconds: number): void;
}

/** A counter whose value is kept elsewhere (monotonic by construction): set from the source at each scrape. */
function sourcedCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Array<[Record<string, string>, number]>,
) {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

const entries = (o: Partial<Record<string, number>>) => Object.entries(o).filter((e): e is [string, number] => typeof e[1] === 'number');

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  // The process and Node.js metrics under their standard names (process_cpu_seconds_total,
  // nodejs_heap_size_used_bytes…), which stock Node.js dashboards and alerts look for.
  collectDefaultMetrics({ register: registry });
  const { intake, syslog, bus, openSessions, alertsFiring } = sources;

  if (intake || syslog) {
    sourcedCounter(
      registry,
      'scalehouse_hits_acknowledged_total',
      'Hits the collector acknowledged (durable on the bus).',
      ['source'],
      () => [
        ...(intake ? [[{ source: 'http' }, intake().accepted] as [Record<string, string>, number]] : []),
        ...(syslog ? [[{ source: 'syslog' }, syslog().accepted] as [Record<string, string>, number]] : []),
      ],
    );
    sourcedCounter(
      registry,
      'scalehouse_hits_refused_total',
      'Intake requests (HTTP) and syslog messages refused, by reason; too_many_connections counts connections closed on arrival by a cap.',
      ['source', 'reason'],
      () => [
        ...(intake
          ? entries(intake().refused).map(([reason, n]) => [{ source: 'http', reason }, n] as [Record<string, string>, number])
          : []),
        ...(syslog
          ? entries(syslog().dropped).map(([reason, n]) => [{ source: 'syslog', reason }, n] as [Record<string, string>, number])
          : []),
      ],
    );
  }
  if (intake)
    sourcedCounter(
      registry,
      'scalehouse_beacons_opted_out_total',
      'Beacons answered but not written: the visitor asked not to be tracked (GPC, DNT).',
      [],
      () => [[{}, intake().optedOut]],
    );
  if (syslog)
    sourcedCounter(registry, 'scalehouse_syslog_received_total', 'Syslog messages received.', [], () => [[{}, syslog().received]]);
  if (bus) {
    // Kafka: one sample per partition of the consumer group, from the broker (sum() is the group's
    // lag, and every processor shows the whole group); the local bus: one sample.
    new Gauge({
      name: 'scalehouse_bus_lag_hits',
      help: 'Hits on the bus not yet loaded by the processor (Kafka: by the consumer group, per partition, from the broker).',
      labelNames: ['partition'],
      registers: [registry],
      collect() {
        this.reset();
        const { lag, partitions } = bus();
        if (!partitions) this.set(lag);
        else for (const p of partitions) this.set({ partition: String(p.partition) }, p.lag);
      },
    });
    new Gauge({
      name: 'scalehouse_bus_stalled',
      help: "Kafka: 1 for a partition whose hits wait while the group's committed offset has not moved for KAFKA_STALL_SECONDS.",
      labelNames: ['partition'],
      registers: [registry],
      collect() {
        this.reset();
        for (const p of bus().partitions ?? []) this.set({ partition: String(p.partition) }, p.stalled ? 1 : 0);
      },
    });
    sourcedCounter(
      registry,
      'scalehouse_bus_consumer_restarts_total',
      "Kafka: times this process's watchdog replaced its stalled consumer (KAFKA_STALL_RESTART_SECONDS).",
      [],
      () => {
        const n = bus().consumerRestarts;
        return n === undefined ? [] : [[{}, n]];
      },
    );
    new Gauge({
      name: 'scalehouse_bus_bytes',
      help: 'Bytes of bus data on disk (local bus).',
      registers: [registry],
      collect() {
        this.set(bus().bytes);
      },
    });
    new Gauge({
      name: 'scalehouse_bus_disk_free_bytes',
      help: 'Free bytes on the local bus disk.',
      registers: [registry],
      collect() {
        const free = bus().diskFree;
        if (free !== undefined) this.set(free);
      },
    });
    // A batch retried for a reason a retry can cure (ClickHouse away, a table missing, disk errors) holds up its
    // whole stream: how long, and how hard, as gauges to alert on (bus/failing-batches.ts); 0 when none fails.
    new Gauge({
      name: 'scalehouse_batch_failing_seconds',
      help: 'How long the longest-failing batch has been retried without loading (0: none); the hits behind it wait.',
      registers: [registry],
      collect() {
        const since = Math.min(...(bus().failing ?? []).map((f) => f.since));
        this.set(Number.isFinite(since) ? (Date.now() - since) / 1000 : 0);
      },
    });
    new Gauge({
      name: 'scalehouse_batch_retry_attempts',
      help: 'Failed attempts at the batches being retried now (0: none).',
      registers: [registry],
      collect() {
        this.set((bus().failing ?? []).reduce((n, f) => n + f.attempts, 0));
      },
    });
  }
  if (openSessions)
    new Gauge({
      name: 'scalehouse_open_sessions',
      help: 'Sessions the processor holds open.',
      registers: [registry],
      collect() {
        this.set(openSessions());
      },
    });
  if (alertsFiring) {
    new Gauge({
      name: 'scalehouse_alerts_firing',
      help: 'Alerts firing now, by rule.',
      labelNames: ['rule'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [rule, n] of Object.entries(alertsFiring())) this.set({ rule }, n);
      },
    });
  }

  const batches = new Counter({ name: 'scalehouse_batches_total', help: 'Batches the processor loaded.', registers: [registry] });
  const records = new Counter({
    name: 'scalehouse_records_processed_total',
    help: 'Bus records the processor handled (loaded, dropped or dead-lettered).',
    registers: [registry],
  });
  const events = new Counter({ name: 'scalehouse_events_loaded_total', help: 'Human hits loaded into events.', registers: [registry] });
  const dropped = new Counter({
    name: 'scalehouse_hits_dropped_total',
    help: 'Hits the processor dropped, by reason (bot, opted_out…).',
    labelNames: ['reason'],
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'scalehouse_dead_letters_total',
    help: 'Records dead-lettered, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'scalehouse_batch_failures_total',
    help: 'Batches the processor failed (the bus redelivers them): ClickHouse away, insert refused…',
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'scalehouse_batch_records',
    help: 'Records per batch.',
    buckets: [1, 10, 100, 500, 1000, 5000, 10_000, 50_000],
    registers: [registry],
  });
  const loadTime = new Histogram({
    name: 'scalehouse_insert_duration_seconds',
    help: 'Time to load one batch into ClickHouse (every table, deduplicated).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // The conventional name and labels (as express-prom-bundle and most HTTP middleware export it), so
  // stock dashboards find it; `route` is the matched pattern, never the raw path.
  const requestTime = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by the route pattern that answered (unmatched: none) and status class.',
    labelNames: ['route', 'status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'scalehouse_alert_notifications_total',
    help: 'Alert notifications sent to webhooks, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });

  return {
    registry,
    values: async () =>
      (await registry.getMetricsAsJSON()).map((m) => ({
        name: m.name,
        type: String(m.type),
        values: m.values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value })),
      })),
    batchLoaded(r) {
      batches.inc();
      records.inc(r.records);
      events.inc(r.events);
      for (const [reason, n] of Object.entries(r.dropped)) dropped.inc({ reason }, n);
      for (const [reason, n] of Object.entries(r.deadLetters)) deadLetters.inc({ reason }, n);
      batchSize.observe(r.records);
      loadTime.observe(r.loadSeconds);
    },
    batchFailed: () => failures.inc(),
    notification: (outcome) => notifications.inc({ outcome }),
    httpRequest: (route, status, seconds) => requestTime.observe({ route, status_class: `${Math.floor(status / 100)}xx` }, seconds),
  };
}
