/**
 * A process's minutely report to pipeline_health, from its real metrics
 * registry into the real engine: counters as their increase since the last
 * report (nothing when nothing moved), gauges as they stand — what the alert
 * evaluator reads of processes it cannot see; and a Kafka consumer group's
 * partitions, which every processor reports alike, counted once.
 */
import { describe, expect, it } from 'vitest';
import { startHealthReports } from '../../alerts/health-report.ts';
import { createMetrics } from '../../server/metrics.ts';
import { chMinute } from '../../clickhouse/time.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { readSignals } from '../../alerts/read-signals.ts';
import { findingsOf } from '../../alerts/evaluator.ts';
import { alertRules } from '../../alerts/rules.ts';

describe('health reports', () => {
  it('write counters as increases and gauges as they stand', async () => {
    const ch = await freshClickHouse();
    const intake = { accepted: 10, optedOut: 0, refused: { origin: 2 } as Record<string, number> };
    let lag = 7;
    const metrics = createMetrics({ intake: () => intake, bus: () => ({ lag, bytes: 0 }) });
    const reporter = startHealthReports(ch, metrics.values, { role: 'start', port: 8080 }, 3_600_000);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000; // recent: the table keeps 30 days
    metrics.batchLoaded({ records: 30, events: 20, dropped: { bot: 8 }, deadLetters: { unparseable: 2 }, loadSeconds: 0.05 });
    await reporter.report(t0);
    intake.accepted = 25;
    lag = 0;
    metrics.batchFailed();
    await reporter.report(t0 + 60_000);
    await reporter.report(t0 + 120_000); // nothing moved: no counter rows
    reporter.stop();

    const got = await rows<{ minute: string; metric: string; reason: string; kind: string; value: number }>(
      ch,
      'SELECT toString(minute) AS minute, metric, reason, toString(kind) AS kind, value FROM pipeline_health ORDER BY minute, metric, reason',
    );
    const at = (ms: number) => chMinute(ms);
    // No batch failing: its gauges are reported as 0, so an alert on them recovers.
    const noneFailing = (ms: number) => [
      { minute: at(ms), metric: 'batch_failing_seconds', reason: '', kind: 'gauge', value: 0 },
      { minute: at(ms), metric: 'batch_retry_attempts', reason: '', kind: 'gauge', value: 0 },
    ];
    expect(got).toEqual([
      ...noneFailing(t0),
      { minute: at(t0), metric: 'bus_lag_hits', reason: '', kind: 'gauge', value: 7 },
      { minute: at(t0), metric: 'dead_letters', reason: 'unparseable', kind: 'counter', value: 2 },
      { minute: at(t0), metric: 'hits_acknowledged', reason: '', kind: 'counter', value: 10 },
      { minute: at(t0), metric: 'hits_refused', reason: 'origin', kind: 'counter', value: 2 },
      { minute: at(t0), metric: 'records_processed', reason: '', kind: 'counter', value: 30 },
      ...noneFailing(t0 + 60_000).slice(0, 1),
      { minute: at(t0 + 60_000), metric: 'batch_failures', reason: '', kind: 'counter', value: 1 },
      ...noneFailing(t0 + 60_000).slice(1),
      { minute: at(t0 + 60_000), metric: 'bus_lag_hits', reason: '', kind: 'gauge', value: 0 },
      { minute: at(t0 + 60_000), metric: 'hits_acknowledged', reason: '', kind: 'counter', value: 15 },
      ...noneFailing(t0 + 120_000),
      { minute: at(t0 + 120_000), metric: 'bus_lag_hits', reason: '', kind: 'gauge', value: 0 },
    ]);
  });

  it('count each Kafka partition once, however many processors report it, and a stalled one fires consumer_stalled while records move', async () => {
    const ch = await freshClickHouse();
    // Two processors of one group: each shows the whole group's partitions (bus/kafka/group-lag-poller.ts).
    const partitions = [
      { partition: 0, lag: 0, stalled: false },
      { partition: 1, lag: 120, stalled: true },
      { partition: 2, lag: 30, stalled: false },
    ];
    const processors = [8081, 8082].map((port) => {
      const metrics = createMetrics({ bus: () => ({ lag: 150, bytes: 0, partitions, consumerRestarts: 0 }) });
      return { metrics, reporter: startHealthReports(ch, metrics.values, { role: 'processor', port }, 3_600_000) };
    });
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    processors[0]!.metrics.batchLoaded({ records: 40, events: 40, dropped: {}, deadLetters: {}, loadSeconds: 0.01 });
    for (const p of processors) {
      await p.reporter.report(t0);
      p.reporter.stop();
    }
    expect(
      await rows(
        ch,
        "SELECT metric, reason, count() AS reports, sum(value) AS value FROM pipeline_health WHERE metric LIKE 'bus_%' GROUP BY metric, reason ORDER BY metric, reason",
      ),
    ).toEqual([
      { metric: 'bus_lag_hits', reason: 'partition 0', reports: 2, value: 0 },
      { metric: 'bus_lag_hits', reason: 'partition 1', reports: 2, value: 240 },
      { metric: 'bus_lag_hits', reason: 'partition 2', reports: 2, value: 60 },
      { metric: 'bus_stalled', reason: 'partition 0', reports: 2, value: 0 },
      { metric: 'bus_stalled', reason: 'partition 1', reports: 2, value: 2 },
      { metric: 'bus_stalled', reason: 'partition 2', reports: 2, value: 0 },
    ]);
    const rules = alertRules();
    const signals = await readSignals(ch, t0 + 60_000, rules.forSite(''));
    expect([signals.gauges.bus_lag_hits, signals.gauges.bus_stalled]).toEqual([150, 1]);
    expect(findingsOf(signals, rules).filter((f) => f.rule === 'consumer_stalled')).toEqual([
      {
        rule: 'consumer_stalled',
        site: '',
        subject: '',
        value: 150,
        expected: 0,
        summary: expect.stringMatching(/^1 Kafka partition is stalled: hits wait \(150 on the bus\)/),
      },
    ]);
  });
});
