/**
 * Every minute, each process writes what the alert evaluator needs to know
 * of it to pipeline_health: its counters as the increase since its last
 * report, its gauges as they stand. The evaluator reads only ClickHouse, and
 * in distributed mode the bus lag, the refusals and the failed batches live
 * in other processes; this is how they reach it.
 */
import { hostname } from 'node:os';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { insertRows } from '../clickhouse/insert.ts';
import { chMinute } from '../clickhouse/time.ts';
import type { MetricValues } from '../common/metric-values.ts';

/** The metrics reported, as their pipeline_health names (prefix and `_total` dropped). */
const REPORTED = new Set([
  'hits_acknowledged',
  'hits_refused',
  'records_processed',
  'batch_failures',
  'batch_failing_seconds',
  'batch_retry_attempts',
  'dead_letters',
  'bus_lag_hits',
  'bus_stalled',
  'open_sessions',
]);

export interface HealthRow {
  minute: string;
  instance: string;
  role: string;
  metric: string;
  reason: string;
  kind: 'counter' | 'gauge';
  value: number;
}

/**
 * The rows of one report, and the counters' values to subtract next time; `last` holds them as of
 * the previous report that was written (a report that failed to be written is carried by the next).
 */
export function healthRows(
  metrics: MetricValues[],
  last: ReadonlyMap<string, number>,
  at: { now: number; instance: string; role: string },
): { rows: HealthRow[]; counted: Map<string, number> } {
  const sums = new Map<string, { metric: string; reason: string; kind: HealthRow['kind']; value: number }>();
  for (const m of metrics) {
    const metric = m.name.replace(/^scalehouse_/, '').replace(/_total$/, '');
    if (!REPORTED.has(metric) || (m.type !== 'counter' && m.type !== 'gauge')) continue;
    for (const v of m.values) {
      // Labels other than reason (the source of a hit) are summed: the evaluator asks "how many", not "from where".
      // A Kafka partition is kept, in `reason`: every processor reports the whole consumer group's lag and
      // stalls, and the gauges' query (pipeline-gauges.sql) takes each partition once, not once per processor.
      const reason = String(v.labels.reason ?? (v.labels.partition === undefined ? '' : `partition ${v.labels.partition}`));
      const key = `${metric}\t${reason}`;
      const s = sums.get(key) ?? { metric, reason, kind: m.type, value: 0 };
      s.value += v.value;
      sums.set(key, s);
    }
  }
  const rows: HealthRow[] = [];
  const counted = new Map(last);
  for (const [key, s] of sums) {
    let value = s.value;
    if (s.kind === 'counter') {
      value = s.value - (last.get(key) ?? 0);
      counted.set(key, s.value);
      if (value <= 0) continue;
    }
    rows.push({ minute: chMinute(at.now), instance: at.instance, role: at.role, metric: s.metric, reason: s.reason, kind: s.kind, value });
  }
  return { rows, counted };
}

export interface HealthReporter {
  report(now?: number): Promise<void>;
  stop(): void;
}

export function startHealthReports(
  ch: ClickHouse,
  metrics: () => Promise<MetricValues[]>,
  who: { role: string; port: number },
  everyMs = 60_000,
): HealthReporter {
  const instance = `${hostname()}:${who.port}`;
  let last = new Map<string, number>();
  let reports = 0;
  const report = async (now = Date.now()) => {
    const { rows, counted } = healthRows(await metrics(), last, { now, instance, role: who.role });
    await insertRows(ch, 'pipeline_health', rows, `health:${instance}:${now}:${reports++}`);
    last = counted;
  };
  const timer = setInterval(
    () =>
      void report().catch(() => {
        /* ClickHouse away: the next report carries the increase */
      }),
    everyMs,
  );
  timer.unref();
  return { report, stop: () => clearInterval(timer) };
}
