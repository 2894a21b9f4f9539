/**
 * A process's minutely report to pipeline_health, from its real metrics
 * registry into the real engine: counters as their increase since the last
 * report (nothing when nothing moved), gauges as they stand — what the alert
 * evaluator reads of processes it cannot see.
 */
import { describe, expect, it } from 'vitest';
import { startHealthReports } from '../../alerts/health-report.ts';
import { createMetrics } from '../../server/metrics.ts';
import { chMinute } from '../../clickhouse/time.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';

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
});
