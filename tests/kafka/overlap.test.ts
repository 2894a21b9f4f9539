/**
 * The Kafka consumer's drain overlaps loading (bus/pipeline.ts via bus/kafka/deliver-fetch.ts), on
 * the real broker: batch N+1 is recorded in the committed offset's metadata beside N and prepared
 * while N loads; offsets are committed in order; a batch prepared on top of a failed load is
 * discarded; and a consumer left behind with two ranges in flight (abandoned, committing nothing
 * more, as a killed process would) has both redone by the next one, in order, under their tokens.
 * The batch handler is a test double (tests/helpers/two-phase-double.ts): what is observed is the
 * consumer's order of calls, which a real handler cannot be held in the middle of.
 */
import { describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import type { Config } from '../../common/config.ts';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { runConsumer } from '../../bus/kafka/consumer.ts';
import { createKafka } from '../../bus/kafka/kafka-client.ts';
import { FailingBatches } from '../../bus/failing-batches.ts';
import { testLogHit } from '../helpers/hits.ts';
import { humanLine, kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { nameOf, twoPhaseDouble } from '../helpers/two-phase-double.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** 15 hits in one partition (one transaction: offsets 0–14, its commit marker at 15). */
async function topicWith15(env: Record<string, string> = {}): Promise<Config> {
  const cfg = kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '1', ...env });
  const bus = await KafkaBus.open(cfg);
  await bus.publish(Array.from({ length: 15 }, (_, i) => testLogHit(humanLine('198.51.100.7', `/o/${i}`, i), { receivedAt: Date.now() })));
  await bus.close();
  return cfg;
}

async function committed(admin: Admin, cfg: Config): Promise<{ offset: string; metadata: unknown }> {
  const [offsets] = await admin.fetchOffsets({ groupId: cfg.KAFKA_GROUP, topics: [cfg.KAFKA_TOPIC] });
  const p = offsets!.partitions[0]!;
  return { offset: p.offset, metadata: p.metadata ? (JSON.parse(p.metadata) as unknown) : null };
}

const inOrder = (events: string[], first: string, then: string) => {
  expect(events.indexOf(first)).toBeGreaterThanOrEqual(0);
  expect(events.indexOf(first)).toBeLessThan(events.indexOf(then));
};

describe('Kafka consumer: the drain overlaps loading', () => {
  it('records and prepares N+1 while N loads, commits in order, and a consumer left behind has both ranges redone by the next', async () => {
    const cfg = await topicWith15({ KAFKA_SESSION_TIMEOUT_MS: '6000' });
    const kafka = createKafka(cfg);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const first = twoPhaseDouble();
      const held = first.hold('0-4');
      const left = await runConsumer(kafka, cfg, first.handler, 5, new FailingBatches());
      await waitFor('batch 5-9 prepared while 0-4 loads', async () => (first.events.includes('prepare 5-9') ? true : undefined), 60_000);
      expect(first.events).toEqual(['prepare 0-4', 'load 0-4', 'prepare 5-9']);
      expect(await committed(admin, cfg)).toEqual({
        offset: '0',
        metadata: [
          { from: 0, to: 4 },
          { from: 5, to: 9 },
        ],
      });

      // Left behind with both ranges in flight: it commits nothing more, as a killed process would.
      left.abandon();
      held.release();
      const next = twoPhaseDouble();
      const secondHeld = next.hold('5-9');
      const taker = await runConsumer(kafka, cfg, next.handler, 5, new FailingBatches());
      try {
        await waitFor('5-9 loading again', async () => (next.events.includes('load 5-9') ? true : undefined), 60_000);
        // 0-4 was committed before 5-9 began to load, and 10-14 is recorded behind it.
        await waitFor('10-14 recorded', async () =>
          ((await committed(admin, cfg)).metadata as unknown[] | null)?.length === 2 ? true : undefined,
        );
        expect(await committed(admin, cfg)).toEqual({
          offset: '5',
          metadata: [
            { from: 5, to: 9 },
            { from: 10, to: 14 },
          ],
        });
        secondHeld.release();
        await waitFor('every batch loaded', async () => (next.loaded.length === 3 ? true : undefined), 60_000);
        expect(next.loaded.map((b) => b.token)).toEqual(['0-4', '5-9', '10-14'].map((r) => `kafka:${cfg.KAFKA_TOPIC}:0:${r}`));
        inOrder(next.events, 'loaded 0-4', 'load 5-9');
        inOrder(next.events, 'loaded 5-9', 'load 10-14');
        // Past the transaction's commit marker, nothing recorded.
        await waitFor('the last commit', async () => ((await committed(admin, cfg)).offset === '16' ? true : undefined));
        expect(await committed(admin, cfg)).toEqual({ offset: '16', metadata: null });
        // The one left behind loaded 0-4 after it was abandoned, and committed nothing of it.
        expect(first.loaded.map(nameOf)).toEqual(['0-4']);
      } finally {
        await taker.stop();
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('discards N+1 when N fails to load, loads N again, then N+1 under its recorded range', async () => {
    const cfg = await topicWith15();
    const kafka = createKafka(cfg);
    const admin = kafka.admin();
    await admin.connect();
    const double = twoPhaseDouble();
    const held = double.hold('0-4');
    double.failOnce('0-4');
    const consumer = await runConsumer(kafka, cfg, double.handler, 5, new FailingBatches());
    try {
      await waitFor('batch 5-9 prepared while 0-4 loads', async () => (double.events.includes('prepare 5-9') ? true : undefined), 60_000);
      held.release();
      await waitFor('every batch loaded', async () => (double.loaded.length === 3 ? true : undefined), 60_000);
      expect(double.events.slice(0, 9)).toEqual([
        'prepare 0-4',
        'load 0-4',
        'prepare 5-9',
        'failed 0-4',
        'discard 5-9',
        'prepare 0-4',
        'load 0-4',
        'prepare 5-9',
        'loaded 0-4',
      ]);
      expect(double.events.filter((e) => e === 'load 5-9')).toHaveLength(1);
      expect(double.loaded.map(nameOf)).toEqual(['0-4', '5-9', '10-14']);
      await waitFor('the last commit', async () => ((await committed(admin, cfg)).offset === '16' ? true : undefined));
    } finally {
      await consumer.stop();
      await admin.disconnect();
    }
  });
});
