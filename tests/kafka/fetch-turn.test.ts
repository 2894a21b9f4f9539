/**
 * A partition that had little in a fetch is not made to wait for a busy
 * sibling to get through its whole share (bus/kafka/fetch-turn.ts), on a real
 * broker: partition 0 holds a backlog that takes seconds to load, partition 1
 * a few hits; once partition 1 has loaded those, more hits come to it. kafkajs
 * fetches again only when every partition of the last fetch is done, so
 * without turns those new hits waited until partition 0's backlog was loaded
 * whole — the soak's 30 s stand-still of one partition on a healthy drain.
 *
 * The handler takes 40 ms a batch: a stand-in for a busy engine (what the
 * shape needs is loading that takes long, not ClickHouse itself).
 */
import { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusBatch } from '../../bus/bus.ts';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { fetchTurnMs } from '../../bus/kafka/fetch-turn.ts';
import { kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

const BACKLOG = 4000;
const MAX_RECORDS = 40;
const LOAD_MS = 40;

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

const messages = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ value: `${tag}-${i}` }));

describe('a partition waiting its turn in a fetch', () => {
  it('gets its new hits loaded while a sibling is still loading its backlog from the same fetch', async () => {
    // A stall limit of 10 s: a turn of 1 s, well inside the backlog's 100 batches of 40 ms.
    const cfg = kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '2', KAFKA_STALL_SECONDS: '10' });
    expect(fetchTurnMs(cfg.KAFKA_STALL_SECONDS * 1000)).toBe(1000);
    const kafka = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 });
    const producer = kafka.producer();
    await producer.connect();
    closing.push(() => producer.disconnect());
    const bus = await KafkaBus.open(cfg);
    closing.push(() => bus.close());
    // Both before the consumer joins, so its first fetch brings the whole backlog (~100 KB, far below 16 MiB).
    await producer.send({ topic: cfg.KAFKA_TOPIC, messages: messages(BACKLOG, 'backlog').map((m) => ({ ...m, partition: 0 })) });
    await producer.send({ topic: cfg.KAFKA_TOPIC, messages: messages(5, 'first').map((m) => ({ ...m, partition: 1 })) });

    const loaded: { partition: number; batch: BusBatch }[] = [];
    let more: Promise<unknown> | undefined;
    await bus.consume(
      async (batch) => {
        const partition = Number(batch.stream.split(':')[1]);
        await new Promise((r) => setTimeout(r, LOAD_MS));
        loaded.push({ partition, batch });
        // Partition 1 has loaded what it had: more hits come to it while partition 0 still loads.
        if (partition === 1 && !more) {
          more = producer.send({ topic: cfg.KAFKA_TOPIC, messages: messages(5, 'later').map((m) => ({ ...m, partition: 1 })) });
        }
      },
      { maxRecords: MAX_RECORDS },
    );
    const total = BACKLOG + 10;
    await waitFor(
      'every hit loaded',
      async () => (loaded.reduce((n, l) => n + l.batch.records.length, 0) >= total ? true : undefined),
      60_000,
    );
    await more;

    const later = loaded.findIndex((l) => l.batch.records.some((r) => r.value.startsWith('later-')));
    const lastOfBacklog = loaded.findLastIndex((l) => l.partition === 0);
    const trace = JSON.stringify(loaded.map((l) => l.batch.token));
    // Loaded while partition 0 still had most of its backlog to go, not after it (as before turns).
    expect(later, trace).toBeGreaterThan(0);
    expect(later, trace).toBeLessThan(lastOfBacklog);
    expect(loaded.slice(later).filter((l) => l.partition === 0).length, trace).toBeGreaterThan(BACKLOG / MAX_RECORDS / 2);
    // Each hit once, in order per partition.
    const offsets = (p: number) => loaded.filter((l) => l.partition === p).flatMap((l) => l.batch.records.map((r) => r.offset));
    expect(offsets(0)).toEqual([...Array(BACKLOG).keys()]);
    expect(offsets(1)).toEqual([...Array(10).keys()]);
  });
});
