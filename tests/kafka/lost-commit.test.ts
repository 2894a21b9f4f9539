/**
 * The one ambiguous moment of a Kafka transaction: the commit sent, the
 * broker frozen (SIGSTOP) before it answers, so the request times out while
 * the broker will still act on it once it runs again. The publisher must not
 * guess: it resolves (2xx) only if the transaction committed and rejects (503)
 * only if it did not, which it learns from the transaction's witness
 * (bus/kafka/transactional-producer.ts). Either answer is allowed here — which
 * one Kafka picks depends on the order it reads the old commit and the new
 * producer's InitProducerId — but the answer must match what readers see.
 */
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { ensureTopics } from '../../bus/kafka/kafka-client.ts';
import { TransactionalProducer } from '../../bus/kafka/transactional-producer.ts';
import { humanLine, kafkaTestConfig, ownBroker, readTopic } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

const LINES = 3000;

describe('a Kafka commit whose answer is lost', () => {
  it('is answered as the broker decided it: resolved only if committed, and then read exactly once', async () => {
    const broker = ownBroker();
    let thaw: NodeJS.Timeout | undefined;
    try {
      const cfg = kafkaTestConfig(broker.brokers);
      // Requests time out after 3 s (kafkajs' default is 30 s), so the commit's answer is given up on while the broker is frozen.
      const kafka = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: logLevel.NOTHING, requestTimeout: 3000, connectionTimeout: 1000 });
      const admin = kafka.admin();
      await admin.connect();
      await ensureTopics(admin, cfg);
      await admin.disconnect();
      const producer = new TransactionalProducer(kafka, cfg);
      // A broker just started may still be loading its transaction coordinator ("The coordinator is loading…"),
      // which the publisher answers as a refusal, a 503 (slow to come on a loaded machine): one transaction
      // through first, so the publish below meets the lost commit it is about.
      await waitFor(
        'a first transaction through',
        () =>
          producer
            .publish(
              [{ key: 'k0', value: 'warm-up' }],
              () => undefined,
              () => true,
            )
            .then(
              () => true,
              () => undefined,
            ),
        60_000,
      );
      const messages = Array.from({ length: LINES }, (_, i) => ({ key: `k${i % 50}`, value: humanLine('203.0.113.9', `/lost/${i}`, i) }));

      // Freeze the broker the moment the commit's coordinator is found: kafkajs writes EndTxn next, into a
      // socket the frozen broker reads only once it runs again. (The kafkajs producer is private to the
      // TransactionalProducer; the test reaches in for its instrumentation events.)
      let committing = false;
      let frozenAt = 0;
      const inner = (producer as unknown as { producer: Producer }).producer;
      inner.on(inner.events.REQUEST, ({ payload }) => {
        if (!committing || frozenAt || payload.apiName !== 'GroupCoordinator') return;
        broker.freeze();
        frozenAt = Date.now();
        thaw = setTimeout(() => broker.thaw(), 6000);
      });
      const outcome = await producer
        .publish(
          messages,
          () => undefined,
          (toCommit) => {
            committing ||= toCommit;
            return true;
          },
        )
        .then(
          () => 'committed' as const,
          (err: Error) => err.message,
        );
      const answeredAt = Date.now();
      expect(frozenAt > 0 ? 'frozen' : outcome).toBe('frozen');

      // A later publish under the same keys (so on the same partitions, after the first's records) is read
      // either way: a reader that has its records has passed the first transaction's.
      const after = Array.from({ length: 50 }, (_, k) => ({ key: `k${k}`, value: `after ${k}` }));
      await producer.publish(
        after,
        () => undefined,
        () => true,
      );
      const read = await readTopic(cfg.KAFKA_BROKERS, cfg.KAFKA_TOPIC, 1 + after.length + (outcome === 'committed' ? LINES : 0));
      const lost = read.filter((m) => m.value.includes('/lost/'));
      if (outcome === 'committed')
        expect({ lines: lost.length, distinct: new Set(lost.map((m) => m.value)).size }).toEqual({ lines: LINES, distinct: LINES });
      else expect({ outcome, read: lost.length }).toEqual({ outcome: expect.stringContaining('did not commit'), read: 0 });
      // It waited for the broker instead of answering at the commit's request timeout.
      expect(answeredAt - frozenAt).toBeGreaterThan(6000);
      await producer.close();
    } finally {
      clearTimeout(thaw);
      broker.stop();
    }
  }, 120_000);
});
