/**
 * A frozen processor on a real broker (issue 28): a batch handler that never
 * returns for one partition — in-process, a promise nobody resolves — while
 * hits keep arriving. The lag comes from the broker (the group's committed
 * offsets against the high watermarks), so /readyz, /metrics and the
 * `consumer_stalled` alert see the stall where the lag of the last fetched
 * batch said 0; then the watchdog (KAFKA_STALL_RESTART_SECONDS) replaces the
 * consumer, the abandoned batch is redone under its token, the partitions
 * drain and every hit is loaded exactly once. Served as `scalehouse start`
 * serves it (tests/helpers/stuck-batch.ts shows the same wiring).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Kafka } from 'kafkajs';
import type { BusBatch } from '../../bus/bus.ts';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { startHealthReports } from '../../alerts/health-report.ts';
import { findingsOf } from '../../alerts/evaluator.ts';
import { readSignals } from '../../alerts/read-signals.ts';
import { alertRules } from '../../alerts/rules.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { testLogHit } from '../helpers/hits.ts';
import { humanLine, kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { scrape, sample } from '../helpers/prometheus.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { serveBusHealth } from '../helpers/bus-health-server.ts';

const MINUTE = 60_000;
const STALLED = /^the processor is stalled on partition (\d+) of (\S+): (\d+) hits wait at offset (\d+) and it has not moved for (\d+) s/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a processor frozen on a Kafka partition', () => {
  it('is seen stalled in /readyz, /metrics and the alert, and its watchdog restarts the consumer: every hit loaded once', async () => {
    const cfg = kafkaTestConfig(testBrokers(), {
      KAFKA_PARTITIONS: '2',
      KAFKA_STALL_SECONDS: '5',
      KAFKA_STALL_RESTART_SECONDS: '20',
    });
    const ch = await freshClickHouse();
    const bus = await KafkaBus.open(cfg);
    const health = await serveBusHealth(bus, ch);
    const { url, metrics } = health;
    const readyz = () =>
      health.readyz<{ problems: string[]; bus: { lag: number; partitions: Array<{ partition: number; lag: number }> } }>();
    const reporter = startHealthReports(ch, metrics.values, { role: 'processor', port: 0 }, 3_600_000);
    const warnings: string[] = [];
    // The log line is read where it is written (stderr), and still written.
    const write = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: Parameters<typeof write>[1][]) => {
      if (String(chunk).includes('restarting the Kafka consumer')) warnings.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write);
    const admin = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 }).admin();
    await admin.connect();
    let sending: Promise<void> | undefined;
    let release: (() => void) | undefined;
    try {
      // The processor: the real batch handler, but the first batch after `freeze` is set never returns.
      const { handle } = createBatchHandler({
        ch,
        salts: new SaltStore(ch),
        sessionTimeoutMs: 30 * MINUTE,
        deadLetter: bus.deadLetter.bind(bus),
      });
      let freeze = false;
      let frozen: BusBatch | undefined;
      const handled: string[] = [];
      await bus.consume(
        async (batch) => {
          if (freeze && !frozen) {
            frozen = batch;
            // Never returns while the test runs; let go at its end (as a failure, so nothing commits it),
            // so that a consumer still waiting on it can stop.
            await new Promise<never>((_, reject) => {
              release = () => reject(new Error('let go at the end of the test'));
            });
          }
          await handle(batch);
          handled.push(batch.token);
        },
        { maxRecords: 20 },
      );

      let published = 0;
      const publish = async (n: number) => {
        const hits = Array.from({ length: n }, (_, i) => {
          const k = published + i;
          return testLogHit(humanLine(`10.1.${k % 200}.${(k >> 3) % 250}`, `/p-${k}`, k), { receivedAt: Date.now() });
        });
        await bus.publish(hits);
        published += n;
      };
      const events = async () => Number((await rows<{ n: number }>(ch, 'SELECT count() AS n FROM events'))[0]!.n);

      await publish(40);
      await waitFor('the first hits loaded, lag 0 and the role ready', async () => {
        const { status, body } = await readyz();
        return (await events()) === 40 && status === 200 && body.bus.lag === 0 ? true : undefined;
      });

      // Freeze, and keep hits coming in until the watchdog has restarted the consumer.
      freeze = true;
      let restarted = false;
      sending = (async () => {
        while (!restarted && published < 2_000) {
          await publish(10);
          await new Promise((r) => setTimeout(r, 300));
        }
      })();
      const frozenAt = Date.now();

      let seen: unknown;
      const stalled = await waitFor(
        '/readyz to say the partition is stalled',
        async () => {
          const { status, body } = await readyz();
          seen = { status, problems: body.problems, lag: body.bus.lag };
          const m = body.problems.map((p) => STALLED.exec(p)).find((x) => x && frozen && `${x[2]}:${x[1]}` === frozen.stream);
          return status === 503 && m ? { body, m } : undefined;
        },
        60_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; /readyz said last ${JSON.stringify(seen)}`);
      });
      expect(Date.now() - frozenAt).toBeLessThan(60_000);
      const partition = stalled.m[1]!;
      expect(stalled.m[2]).toBe(cfg.KAFKA_TOPIC);
      // The partition's offset stands where the frozen batch starts: its range was recorded, not committed.
      expect(Number(stalled.m[4])).toBe(frozen!.records[0]!.offset);
      expect(Number(stalled.m[3])).toBeGreaterThan(0);
      expect(stalled.body.bus.lag).toBe(stalled.body.bus.partitions.reduce((n, p) => n + p.lag, 0));

      // /metrics: the stall, and each partition's lag as the broker has it (high watermark − committed offset).
      const scraped = await waitFor('/metrics to show the stall and the lag the broker has', async () => {
        const m = await scrape(`${url}/metrics`);
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(cfg.KAFKA_TOPIC),
          admin.fetchOffsets({ groupId: cfg.KAFKA_GROUP, topics: [cfg.KAFKA_TOPIC] }),
        ]);
        const broker = ends.map((e) => Number(e.high) - Number(committed!.partitions.find((p) => p.partition === e.partition)!.offset));
        const shown = ends.map((e) => sample(m, 'scalehouse_bus_lag_hits', { partition: String(e.partition) }));
        return sample(m, 'scalehouse_bus_stalled', { partition }) === 1 && shown.join() === broker.join() ? { m, broker } : undefined;
      });
      expect(scraped.broker[Number(partition)]).toBeGreaterThan(0);
      expect(sample(scraped.m, 'scalehouse_bus_consumer_restarts_total')).toBe(0);

      // The alert: a health report, then the evaluator's reading of pipeline_health at the next minute.
      const rules = alertRules();
      const reportedAt = Date.now();
      await reporter.report(reportedAt);
      const end = Math.floor(reportedAt / MINUTE) * MINUTE + MINUTE;
      const findings = findingsOf(await readSignals(ch, end, rules.forSite('')), rules).filter((f) => f.rule === 'consumer_stalled');
      expect(findings).toEqual([
        {
          rule: 'consumer_stalled',
          site: '',
          subject: '',
          value: expect.any(Number),
          expected: 0,
          summary: expect.stringMatching(/^\d+ Kafka partitions? (is|are) stalled: hits wait/),
        },
      ]);
      expect(findings[0]!.value).toBeGreaterThan(0);

      // The watchdog replaces the consumer by itself; the frozen batch is redone by the fresh one.
      await waitFor(
        'the watchdog to restart the consumer',
        async () => (sample(await scrape(`${url}/metrics`), 'scalehouse_bus_consumer_restarts_total') === 1 ? true : undefined),
        60_000,
      );
      restarted = true;
      await sending;
      expect(warnings).toHaveLength(1);
      // Whichever partition came due first, the line names the handler that holds them up.
      expect(warnings[0]).toMatch(
        new RegExp(
          `partition ${partition} has not moved for \\d+ s .*its batch handler has not returned|batch handler of partition ${partition} has not returned`,
        ),
      );
      await waitFor(
        `all ${published} hits loaded, lag 0 and the role ready`,
        async () => {
          const { status, body } = await readyz();
          return status === 200 && body.bus.lag === 0 && body.bus.partitions.every((p) => p.lag === 0) && (await events()) === published
            ? true
            : undefined;
        },
        90_000,
      );
      expect(handled).toContain(frozen!.token);
      expect(await rows(ch, 'SELECT count() AS n, uniqExact(path) AS paths FROM events')).toEqual([{ n: published, paths: published }]);
      expect(await rows(ch, 'SELECT sum(hits) AS n FROM traffic_minute')).toEqual([{ n: published }]);
      const after = await scrape(`${url}/metrics`);
      expect([sample(after, 'scalehouse_bus_stalled', { partition }), sample(after, 'scalehouse_bus_consumer_restarts_total')]).toEqual([
        0, 1,
      ]);
      await reporter.report(reportedAt + MINUTE);
      expect(
        findingsOf(await readSignals(ch, end + MINUTE, rules.forSite('')), rules).filter((f) => f.rule === 'consumer_stalled'),
      ).toEqual([]);
    } finally {
      await sending?.catch(() => undefined);
      release?.();
      reporter.stop();
      await admin.disconnect();
      await health.close();
      await bus.close();
      await ch.close();
    }
  });
});
