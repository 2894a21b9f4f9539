/**
 * A processor the broker drops from its group while it works: a batch that
 * takes longer than the session timeout (a slow ClickHouse insert: kafkajs
 * heartbeats only between batches, so none go out meanwhile), or the broker
 * itself paused (SIGSTOP) that long mid-drain. The batch loads, its offset
 * commit is refused — and the processor must join again and go on, not stop
 * consuming for good while the process looks healthy (issue 28's stall: lag
 * 0, /readyz ready, nothing at warn).
 */
import { describe, expect, it } from 'vitest';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { runConsumer } from '../../bus/kafka/consumer.ts';
import { FailingBatches } from '../../bus/failing-batches.ts';
import type { BusBatch } from '../../bus/bus.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { testLogHit } from '../helpers/hits.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { everyHitCommitted, groupProgress, humanLine, kafkaTestConfig, ownBroker, testBrokers } from '../helpers/kafka.ts';
import { killableKafka, type KafkaLogEntry } from '../helpers/killable-kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** What kafkajs logged at warn or worse, to explain a drain that did not finish. */
const kafkajsSaid = (logs: KafkaLogEntry[]) => () =>
  `kafkajs said: ${logs
    .filter((l) => l.level <= 2)
    .map((l) => `${l.message} ${JSON.stringify(l.fields.error ?? '')}`)
    .join(' | ')}`;

describe('a processor dropped from its group', () => {
  it('by a batch longer than the session timeout: joins again, and loads every hit exactly once', async () => {
    const cfg = kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '2', KAFKA_SESSION_TIMEOUT_MS: '6000' });
    const ch = await freshClickHouse();
    const bus = await KafkaBus.open(cfg);
    const hits = Array.from({ length: 2000 }, (_, i) =>
      testLogHit(humanLine(`198.51.100.${i % 200}`, `/slow/${i}`, i), { receivedAt: Date.now() }),
    );
    await bus.publish(hits);
    const logs: KafkaLogEntry[] = [];
    const { kafka } = killableKafka(cfg.KAFKA_BROKERS, 'slow', logs);
    const admin = kafka.admin();
    await admin.connect();
    const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
    let slowed = false;
    const handler = async (batch: BusBatch) => {
      if (!slowed) {
        slowed = true;
        // The insert takes until the broker has given up on this member: the group has no member left.
        await waitFor(
          'the broker to drop the processor from the group',
          async () => ((await admin.describeGroups([cfg.KAFKA_GROUP])).groups[0]!.members.length === 0 ? true : undefined),
          60_000,
        );
      }
      await handle(batch);
    };
    const consumer = await runConsumer(kafka, cfg, handler, 100, new FailingBatches());
    try {
      await everyHitCommitted(kafka, cfg, 60_000, kafkajsSaid(logs));
      expect(slowed).toBe(true);
      expect(await rows(ch, 'SELECT count() AS n, uniqExact(path) AS paths FROM events')).toEqual([{ n: 2000, paths: 2000 }]);
    } finally {
      await consumer.stop();
      await admin.disconnect();
      await bus.close();
    }
  });

  it('by the broker paused longer than the session timeout mid-drain: joins again, and loads every hit exactly once', async () => {
    // A broker of this test's own, since it is paused.
    const broker = ownBroker();
    try {
      const cfg = kafkaTestConfig(broker.brokers, { KAFKA_PARTITIONS: '2', KAFKA_SESSION_TIMEOUT_MS: '6000' });
      const ch = await freshClickHouse();
      const bus = await KafkaBus.open(cfg);
      const hits = Array.from({ length: 20_000 }, (_, i) =>
        testLogHit(humanLine(`198.51.${(i >> 8) & 255}.${i & 255}`, `/paused/${i}`, i), { receivedAt: Date.now() }),
      );
      for (let i = 0; i < hits.length; i += 5000) await bus.publish(hits.slice(i, i + 5000));
      const logs: KafkaLogEntry[] = [];
      const { kafka } = killableKafka(cfg.KAFKA_BROKERS, 'paused', logs);
      const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
      const consumer = await runConsumer(kafka, cfg, handle, 200, new FailingBatches());
      try {
        await waitFor('a fifth committed', async () => ((await groupProgress(kafka, cfg)).done >= 4000 ? true : undefined), 60_000);
        // Paused twice the session timeout: the broker's clock runs on, and once resumed it finds the member's session over.
        broker.freeze();
        await new Promise((r) => setTimeout(r, 12_000));
        broker.thaw();
        await everyHitCommitted(kafka, cfg, 60_000, kafkajsSaid(logs));
        expect(await rows(ch, 'SELECT count() AS n, uniqExact(path) AS paths FROM events')).toEqual([{ n: 20_000, paths: 20_000 }]);
      } finally {
        await consumer.stop();
        await bus.close();
      }
    } finally {
      // Never left paused, whatever failed (unless it is gone already).
      try {
        broker.thaw();
      } catch {
        /* gone */
      }
      broker.stop();
    }
  });

  it('a batch that keeps failing does not hold up the group: another processor joins meanwhile', async () => {
    const cfg = kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '2', KAFKA_SESSION_TIMEOUT_MS: '6000' });
    const ch = await freshClickHouse();
    const bus = await KafkaBus.open(cfg);
    await bus.publish(
      Array.from({ length: 400 }, (_, i) => testLogHit(humanLine(`203.0.113.${i % 100}`, `/fails/${i}`, i), { receivedAt: Date.now() })),
    );
    const logs: KafkaLogEntry[] = [];
    const joined = (client: string) => logs.some((l) => l.client === client && l.message === 'Consumer has joined the group');
    const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
    // The first processor's loads fail (ClickHouse down, as far as it knows) until the second one is in the group.
    const first = await runConsumer(
      killableKafka(cfg.KAFKA_BROKERS, 'failing', logs).kafka,
      cfg,
      async (batch) => {
        if (!joined('second')) throw new Error('ClickHouse is down (test)');
        await handle(batch);
      },
      100,
      new FailingBatches(),
    );
    await waitFor('the first processor to join', async () =>
      logs.some((l) => l.client === 'failing' && l.message.includes('joined')) ? true : undefined,
    );
    const { kafka } = killableKafka(cfg.KAFKA_BROKERS, 'second', logs);
    // Not awaited: kafkajs' run resolves once the consumer is in the group.
    const starting = runConsumer(kafka, cfg, handle, 100, new FailingBatches());
    try {
      await waitFor('the second processor to join the group', async () => (joined('second') ? true : undefined), 90_000);
      // The failing processor gave way by itself and joined with it: the group the second one joined had both
      // (a partition each), not the second alone after the broker gave up on the first (its rebalance timeout).
      const firstJoin = logs.find((l) => l.client === 'second' && l.message === 'Consumer has joined the group')!;
      expect((firstJoin.fields.memberAssignment as Record<string, number[]>)[cfg.KAFKA_TOPIC]).toHaveLength(1);
      await everyHitCommitted(kafka, cfg, 30_000, kafkajsSaid(logs));
      expect(await rows(ch, 'SELECT count() AS n, uniqExact(path) AS paths FROM events')).toEqual([{ n: 400, paths: 400 }]);
    } finally {
      await Promise.all([first.stop(), starting.then((second) => second.stop())]);
      await bus.close();
    }
  });
});
