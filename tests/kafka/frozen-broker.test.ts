/**
 * The broker frozen (SIGSTOP) in the middle of `POST /api/logs` bodies that
 * Kafka takes in several requests each, as issue 28 froze it during a drain:
 * bodies part-acknowledged when the collector answered 503 were counted twice
 * once the shipper sent them again whole. Now a 503 means nothing of that
 * body is read by a processor (each flush is a Kafka transaction, aborted
 * when refused), so every line is counted exactly once, and the drain goes on
 * once the broker does. Lighter than a `scalehouse start`: the collector's
 * app in process (app.request) with a Kafka bus, and a processor on another
 * bus, on a broker of this test's own.
 */
import { describe, expect, it } from 'vitest';
import { Kafka } from 'kafkajs';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { freshClickHouse, LANDED_HITS, rows } from '../helpers/clickhouse.ts';
import { groupProgress, humanLine, kafkaTestConfig, ownBroker } from '../helpers/kafka.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const BODIES = 8;
const LINES_PER_BODY = 8000; // ~3 MB of encoded hits: four or more produce requests of 768 KB each
const SHIPPERS = 2;
const FROZEN_MS = 8000;

/** Body `b`'s lines: every path unique, so a line counted twice shows as a path with two rows. */
const body = (b: number) =>
  Array.from({ length: LINES_PER_BODY }, (_, i) => humanLine(`203.0.113.${(i % 200) + 1}`, `/b${b}/l${i}`, i)).join('\n');

interface Answer {
  body: number;
  status: number;
  at: number;
}

describe('a frozen broker', () => {
  it('bodies refused (503) while the broker is frozen are counted once after the shipper sends them again', async () => {
    const broker = ownBroker();
    try {
      const cfg = kafkaTestConfig(broker.brokers, { KAFKA_PUBLISH_TIMEOUT_MS: '3000' });
      const ch = await freshClickHouse();
      const collectorBus = await KafkaBus.open(cfg);
      const app = collectorApp({ config: cfg, bus: collectorBus, ingestToken: 't', peerAddress: () => '198.51.100.1' });
      const processorBus = await KafkaBus.open(cfg);
      await startProcessor({ bus: processorBus, ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000, maxRecords: 5000 });
      const kafka = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 });

      // Freeze once Kafka holds part of a body not yet answered: seen by a reader of uncommitted records
      // (the end offsets a read_committed reader gets stay put while a transaction is open).
      const seen = new Map<number, number>();
      const peek = kafka.consumer({ groupId: `peek-${cfg.KAFKA_GROUP}`, readUncommitted: true });
      // Reading before the first body goes out: a reader that joined its group late (a loaded machine) found
      // every body already committed and answered, and waited in vain.
      const joined = new Promise<void>((resolve) => peek.on(peek.events.GROUP_JOIN, () => resolve()));
      await peek.connect();
      await peek.subscribe({ topic: cfg.KAFKA_TOPIC, fromBeginning: true });
      await peek.run({
        eachMessage: async ({ message }) => {
          const b = Number(/\/b(\d+)\/l/.exec(message.value?.toString() ?? '')?.[1]);
          if (Number.isInteger(b)) seen.set(b, (seen.get(b) ?? 0) + 1);
        },
      });
      await within('the reader of uncommitted records to join', joined, 60_000);

      // Shippers as Vector's or Fluent Bit's HTTP output: a body answered 503 is sent again whole.
      const answers: Answer[] = [];
      let next = 0;
      const shippers = Array.from({ length: SHIPPERS }, async () => {
        for (let b = next++; b < BODIES; b = next++) {
          const text = body(b);
          for (let attempt = 1; ; attempt++) {
            const res = await app.request('/api/logs?site=example.com', {
              method: 'POST',
              body: text,
              headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
            });
            answers.push({ body: b, status: res.status, at: Date.now() });
            if (res.status === 202) break;
            expect(res.status).toBe(503);
            if (attempt > 200) throw new Error(`body ${b} refused ${attempt} times`);
            await new Promise((r) => setTimeout(r, 250)); // the shipper's back-off (shortened Retry-After)
          }
        }
      });

      const answered = (b: number) => answers.some((a) => a.body === b && a.status === 202);
      await waitFor(
        'a body part-way into Kafka',
        async () => ([...seen].some(([b, n]) => n >= LINES_PER_BODY / 4 && n < LINES_PER_BODY && !answered(b)) ? true : undefined),
        60_000,
      );
      broker.freeze();
      const frozenAt = Date.now();
      try {
        await waitFor(
          '503s while the broker is frozen',
          async () =>
            answers.filter((a) => a.at > frozenAt && a.status === 503).length >= 2 && Date.now() - frozenAt >= FROZEN_MS ? true : undefined,
          FROZEN_MS + 30_000,
        );
      } finally {
        broker.thaw();
      }
      const thawedAt = Date.now();
      await waitFor('a body accepted after the broker returned', async () =>
        answers.some((a) => a.at > thawedAt && a.status === 202) ? true : undefined,
      );
      await Promise.all(shippers);

      const lines = BODIES * LINES_PER_BODY;
      await waitFor(
        'every line loaded and the group at the end of the topic',
        async () => {
          const [landed] = await rows<{ n: number }>(ch, `SELECT count() AS n FROM ${LANDED_HITS}`);
          const { end, done } = await groupProgress(kafka, cfg);
          return Number(landed!.n) >= lines && done === end ? true : undefined;
        },
        90_000,
      );
      expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
      // Exactly once: as many rows as lines, each path once.
      expect(await rows(ch, `SELECT count() AS n, uniqExact(path) AS paths FROM ${LANDED_HITS}`)).toEqual([{ n: lines, paths: lines }]);
      expect(await rows(ch, `SELECT sum(hits) AS n FROM traffic_minute`)).toEqual([{ n: lines }]);

      await peek.disconnect();
      await processorBus.close();
      await collectorBus.close();
      await ch.close();
    } finally {
      broker.stop();
    }
  }, 180_000);
});
