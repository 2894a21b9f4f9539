/**
 * How soon a dead processor's partitions are worked on again (issue 28: no
 * stand-still over 10 s when a processor is killed mid-drain). After SIGKILL
 * the broker keeps the member until its session times out; then the group
 * rebalances, and each survivor joins the new generation only when it next
 * heartbeats — kafkajs heartbeats after each fetch, and a fetch that finds
 * nothing waits up to its maxWaitTime on the broker (5 s by kafkajs' default)
 * first. So an idle survivor added up to five seconds to every hand-over.
 *
 * Three hand-overs in a row, each to a survivor that has nothing to do: a
 * processor that owns a partition is killed (its sockets cut as SIGKILL
 * would: killable-kafka.ts), hits are published to that partition, and the
 * time from the kill until the survivor handles them is measured. The batch
 * handler is a test double that only records what it was given: this tests
 * the group, not the load.
 */
import { describe, expect, it } from 'vitest';
import type { BusBatch } from '../../bus/bus.ts';
import { FailingBatches } from '../../bus/failing-batches.ts';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { runConsumer } from '../../bus/kafka/consumer.ts';
import { testLogHit } from '../helpers/hits.ts';
import { humanLine, kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { killableKafka, type KafkaLogEntry } from '../helpers/killable-kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SESSION_MS = 6000;
/** What a hand-over may take beyond the session timeout: a heartbeat interval, a join and a sync, with room. */
const REJOIN_MS = 2500;
const ROUNDS = 3;

describe('a killed processor', () => {
  it('has its partition worked on by an idle survivor within the session timeout and a rejoin, not a long fetch later', async () => {
    const cfg = kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '2', KAFKA_SESSION_TIMEOUT_MS: String(SESSION_MS) });
    const publisher = await KafkaBus.open(cfg);
    const logs: KafkaLogEntry[] = [];
    const handled: { by: string; stream: string; at: number }[] = [];
    const start = async (name: string) => {
      const client = killableKafka(cfg.KAFKA_BROKERS, name, logs);
      const consumer = await runConsumer(
        client.kafka,
        cfg,
        async (batch: BusBatch) => void handled.push({ by: name, stream: batch.stream, at: Date.now() }),
        100,
        new FailingBatches(),
      );
      return { name, consumer, ...client };
    };
    const survivor = await start('survivor');
    const started = [survivor];
    const handOvers: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const doomed = await start(`doomed-${round}`);
        started.push(doomed);
        // Both in the new generation, one partition each.
        await waitFor(
          `doomed-${round} and the survivor to own a partition each`,
          async () => (doomed.consumer.own().length === 1 && survivor.consumer.own().length === 1 ? true : undefined),
          60_000,
        );
        const partition = doomed.consumer.own()[0]!;
        const stream = `${cfg.KAFKA_TOPIC}:${partition}`;
        doomed.kill();
        const killedAt = Date.now();
        // Hits for every visitor until one lands on the dead member's partition (partitioned by visitor).
        const hits = Array.from({ length: 50 }, (_, i) =>
          testLogHit(humanLine(`198.51.100.${i}`, `/round-${round}/${i}`, i), { receivedAt: Date.now() }),
        );
        await publisher.publish(hits);
        const taken = await waitFor(
          `the survivor to handle partition ${partition}`,
          async () => handled.find((h) => h.by === 'survivor' && h.stream === stream && h.at > killedAt),
          60_000,
        );
        handOvers.push(taken.at - killedAt);
      }
      expect(handOvers.length).toBe(ROUNDS);
      for (const ms of handOvers) expect(ms, `hand-overs (ms): ${handOvers.join(', ')}`).toBeLessThan(SESSION_MS + REJOIN_MS);
    } finally {
      for (const s of started) {
        s.revive();
        if (s === survivor) await s.consumer.stop();
        else s.consumer.abandon();
      }
      await publisher.close();
    }
  }, 180_000);
});
