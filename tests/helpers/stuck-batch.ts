/**
 * A batch that fails for a reason a retry can cure, on the real engine: the
 * `sessions` table is renamed away under a running processor, so every load
 * fails with UNKNOWN_TABLE (code 60) and the consumer retries it; then it is
 * renamed back. What a role serves about it is checked the way `scalehouse
 * start` serves it (cli/commands/start.ts): /readyz from ClickHouse's ping and
 * the bus's problems, /metrics from the bus's stats, both on a real HTTP
 * server on 127.0.0.1; and the alert a health report to pipeline_health
 * raises. Used with the local bus and with Kafka.
 */
import { expect } from 'vitest';
import type { Bus } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { startHealthReports } from '../../alerts/health-report.ts';
import { findingsOf } from '../../alerts/evaluator.ts';
import { readSignals } from '../../alerts/read-signals.ts';
import { alertRules } from '../../alerts/rules.ts';
import { rows } from './clickhouse.ts';
import { testLogHit } from './hits.ts';
import { humanLine } from './kafka.ts';
import { scrape, sample } from './prometheus.ts';
import { waitFor } from './wait-for.ts';
import { serveBusHealth } from './bus-health-server.ts';

const PROBLEM =
  /^the processor cannot consume the bus: batch (\S+) not loaded since (\S+) \((\d+) s, (\d+) attempts; the hits behind it wait\), last error: (.*)$/s;
const MINUTE = 60_000;

export async function checkStuckBatch(bus: Bus, ch: ClickHouse): Promise<void> {
  const health = await serveBusHealth(bus, ch);
  const { url, metrics } = health;
  const readyz = () => health.readyz();
  const events = async () => Number((await rows<{ n: number }>(ch, 'SELECT count() AS n FROM events'))[0]!.n);
  const raw = clientOf(ch);
  const reporter = startHealthReports(ch, metrics.values, { role: 'processor', port: 0 }, 3_600_000);
  try {
    await startProcessor({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * MINUTE, bus, maxRecords: 100 });
    const hit = (i: number) => testLogHit(humanLine(`10.0.0.${i}`, `/page-${i}`, i), { receivedAt: Date.now() });
    await bus.publish([hit(1)]);
    await waitFor('the first hit loaded and the role ready', async () =>
      (await events()) === 1 && (await readyz()).status === 200 ? true : undefined,
    );

    const started = Date.now();
    await raw.command({ query: 'RENAME TABLE sessions TO sessions_away' });
    await bus.publish([2, 3, 4, 5, 6].map(hit));
    const stuck = await waitFor('/readyz to say a batch fails again and again', async () => {
      const { status, body } = await readyz();
      const m = body.problems.map((p) => PROBLEM.exec(p)).find(Boolean);
      return status === 503 && body.status === 'not_ready' && m && Number(m[4]) >= 2 ? { problems: body.problems, m } : undefined;
    });
    expect(stuck.problems).toHaveLength(1);
    const [, batch, since, , , error] = stuck.m;
    expect(Date.parse(since!)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(since!)).toBeLessThanOrEqual(Date.now());
    expect(error).toMatch(/sessions/);
    expect(error).toMatch(/unknown table|does not exist/i);

    const scraped = await waitFor('/metrics to show the batch failing for 3 s', async () => {
      const m = await scrape(`${url}/metrics`);
      return sample(m, 'scalehouse_batch_failing_seconds') >= 3 ? m : undefined;
    });
    expect(sample(scraped, 'scalehouse_batch_retry_attempts')).toBeGreaterThanOrEqual(2);
    // The same batch all along: its clock did not restart with each attempt.
    const now = (await readyz()).body.problems.map((p) => PROBLEM.exec(p)).find(Boolean)!;
    expect([now[1], now[2]]).toEqual([batch, since]);

    // A health report, then the evaluator's reading of pipeline_health at the next minute. An alert
    // after 3 s of failing, not 5 minutes: the rule's threshold is shortened, not its logic.
    const rules = alertRules({ default: { batchStuckMinutes: 0.05 } });
    const reportedAt = Date.now();
    await reporter.report(reportedAt);
    const end = Math.floor(reportedAt / MINUTE) * MINUTE + MINUTE;
    const findings = findingsOf(await readSignals(ch, end, rules.forSite('')), rules).filter((f) => f.rule === 'batch_stuck');
    expect(findings).toEqual([
      {
        rule: 'batch_stuck',
        site: '',
        subject: '',
        value: expect.any(Number),
        expected: 0,
        summary: expect.stringMatching(
          /^a batch has failed to load for [\d.]+ minutes \(\d+ attempts; alert at [\d.]+\) and the hits behind it wait/,
        ),
      },
    ]);
    expect(findings[0]!.value).toBeGreaterThan(0);

    await raw.command({ query: 'RENAME TABLE sessions_away TO sessions' });
    await waitFor('the batch loaded and the role ready again', async () => {
      const { status, body } = await readyz();
      return status === 200 && body.problems.length === 0 && (await events()) === 6 ? true : undefined;
    });
    const after = await scrape(`${url}/metrics`);
    expect([sample(after, 'scalehouse_batch_failing_seconds'), sample(after, 'scalehouse_batch_retry_attempts')]).toEqual([0, 0]);
    // Kafka: the watchdog did not replace the consumer for a batch that was failing (absent on the local bus).
    expect(sample(after, 'scalehouse_bus_consumer_restarts_total')).toBe(0);
    await reporter.report(reportedAt + MINUTE);
    expect(findingsOf(await readSignals(ch, end + MINUTE, rules.forSite('')), rules).filter((f) => f.rule === 'batch_stuck')).toEqual([]);
  } finally {
    reporter.stop();
    await health.close();
  }
}
