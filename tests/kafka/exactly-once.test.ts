/**
 * The distributed pipeline on a real Kafka broker: HTTP → collector → Kafka →
 * processors (one consumer group) → ClickHouse, exactly once, with each
 * visitor's hits in one session; and a poison message goes to the DLQ topic.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { Kafka } from 'kafkajs';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { testLogHit } from '../helpers/hits.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { humanLine, kafkaTestConfig, readTopic, testBrokers } from '../helpers/kafka.ts';

let brokers: string;
beforeAll(() => {
  brokers = testBrokers();
});

const count = async (ch: Awaited<ReturnType<typeof freshClickHouse>>, sql: string) => Number((await rows<{ n: number }>(ch, sql))[0]!.n);

describe('Kafka pipeline', () => {
  it('loads every hit posted over HTTP exactly once, with two processors in one group, each visitor in one session', async () => {
    const cfg = kafkaTestConfig(brokers, { BATCH_MAX_HITS: '40' });
    const ch = await freshClickHouse();
    const collectorBus = await KafkaBus.open(cfg);
    const app = collectorApp({ config: cfg, bus: collectorBus, ingestToken: 't', peerAddress: () => '127.0.0.1' });
    // Two processors in one consumer group, sharing the topic's four partitions.
    const counters: { records: number }[] = [];
    const processors = await Promise.all(
      [0, 1].map(async () => {
        const bus = await KafkaBus.open(cfg);
        counters.push(await startProcessor({ bus, ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000, maxRecords: 40 }));
        return bus;
      }),
    );

    // 60 visitors × 10 hits, a minute apart (one session each), posted in interleaved batches.
    const visitors = Array.from({ length: 60 }, (_, v) => `192.0.2.${v + 1}`);
    for (let round = 0; round < 10; round++) {
      const body = visitors.map((ip, v) => humanLine(ip, `/v${v}/p${round}`, round * 60)).join('\n');
      const res = await app.request('/api/logs?site=example.com', {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
      });
      expect(res.status).toBe(202);
    }
    await waitFor(
      '600 events in ClickHouse',
      async () => ((await count(ch, 'SELECT count() AS n FROM events')) >= 600 ? true : undefined),
      60_000,
    );
    // Let the group settle; nothing more must arrive.
    await waitFor('no lag', async () => (processors.every((p) => p.stats().lag === 0) ? true : undefined));

    expect(await count(ch, 'SELECT count() AS n FROM events')).toBe(600);
    // Both processors took part (the group gave each some of the partitions).
    expect(counters.map((c) => c.records > 0)).toEqual([true, true]);
    expect(await count(ch, 'SELECT uniqExact(path) AS n FROM events')).toBe(600);
    expect(await count(ch, 'SELECT sum(hits) AS n FROM traffic_minute')).toBe(600);
    // Each visitor: one session, holding all ten hits; 60 sessions in all.
    expect(
      await rows(
        ch,
        'SELECT s AS sessions_per_visitor, count() AS visitors FROM (SELECT visitor_id, uniqExact(session_id) AS s FROM events GROUP BY visitor_id) GROUP BY s',
      ),
    ).toEqual([{ sessions_per_visitor: 1, visitors: 60 }]);
    expect(await rows(ch, 'SELECT count() AS n, min(hits) AS lo, max(hits) AS hi, min(duration_s) AS d FROM sessions FINAL')).toEqual([
      { n: 60, lo: 10, hi: 10, d: 540 },
    ]);
    // The topic holds no client address: the collector wrote pseudonyms, in keys and lines alike.
    const messages = await readTopic(cfg.KAFKA_BROKERS, cfg.KAFKA_TOPIC, 600);
    expect(messages).toHaveLength(600);
    expect(messages.filter((m) => /"GET \/v\d+\/p\d+ HTTP/.test(m.value))).toHaveLength(600);
    expect(messages.filter((m) => /192\.0\.2\.\d/.test(m.key + m.value)).map((m) => m.key + ' ' + m.value.slice(0, 120))).toEqual([]);

    await Promise.all([...processors, collectorBus].map((b) => b.close()));
    await ch.close();
  });

  it('sends a poison message to the DLQ topic with its reason, and keeps the partition going', async () => {
    const cfg = kafkaTestConfig(brokers, { KAFKA_PARTITIONS: '1' });
    const ch = await freshClickHouse();
    const bus = await KafkaBus.open(cfg);
    const kafka = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 });
    const producer = kafka.producer();
    await producer.connect();
    const good = (n: number) => JSON.stringify(testLogHit(humanLine('198.51.100.7', `/ok${n}`, n), { receivedAt: Date.now() }));
    await producer.send({
      topic: cfg.KAFKA_TOPIC,
      messages: [
        { key: 'a', value: good(1) },
        { key: 'a', value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
        { key: 'a', value: '{"v":99,"kind":"log"}' },
        { key: 'a', value: good(2) },
      ],
    });
    await startProcessor({ bus, ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000, maxRecords: 100 });
    await waitFor('the good hits', async () => ((await count(ch, 'SELECT count() AS n FROM events')) === 2 ? true : undefined));

    const dlq: { value: string; reason: string; source: string }[] = [];
    const reader = kafka.consumer({ groupId: `${cfg.KAFKA_GROUP}-reader` });
    await reader.connect();
    await reader.subscribe({ topic: cfg.KAFKA_DLQ_TOPIC, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        dlq.push({
          value: message.value!.toString('hex'),
          reason: String(message.headers!.reason),
          source: String(message.headers!.source),
        });
      },
    });
    await waitFor('two dead letters on the DLQ topic', async () => (dlq.length >= 2 ? true : undefined));
    expect(dlq).toEqual([
      { value: 'deadbeef', reason: 'invalid_hit', source: `${cfg.KAFKA_TOPIC}:0@1` },
      { value: Buffer.from('{"v":99,"kind":"log"}').toString('hex'), reason: 'invalid_hit', source: `${cfg.KAFKA_TOPIC}:0@2` },
    ]);
    expect(await rows(ch, 'SELECT reason, position FROM dead_letters ORDER BY position')).toEqual([
      { reason: 'invalid_hit', position: `${cfg.KAFKA_TOPIC}:0@1` },
      { reason: 'invalid_hit', position: `${cfg.KAFKA_TOPIC}:0@2` },
    ]);
    await reader.disconnect();
    await producer.disconnect();
    await bus.close();
    await ch.close();
  });

  it("takes a batch larger than the waiting cap and the broker's request size when Kafka is idle", async () => {
    const cfg = kafkaTestConfig(brokers);
    const bus = await KafkaBus.open(cfg);
    const hits = Array.from({ length: 60_000 }, (_, i) =>
      testLogHit(humanLine(`10.0.${(i >> 8) & 255}.${i & 255}`, `/big/${i}`, i), { receivedAt: Date.now() }),
    );
    await bus.publish(hits); // ~10 MB in one call, as one large POST /api/logs would be
    const admin = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 }).admin();
    await admin.connect();
    // One transaction: the hits and a commit marker on each of the 4 partitions. The markers are written
    // just after the commit is answered, so the end that read_committed readers see (kafkajs asks for it)
    // reaches them a moment later.
    const end = async () => (await admin.fetchTopicOffsets(cfg.KAFKA_TOPIC)).reduce((n, p) => n + Number(p.high), 0);
    let seen = 0;
    await waitFor('60,000 hits and 4 markers visible to read_committed readers', async () =>
      (seen = await end()) >= 60_000 ? true : undefined,
    );
    await waitFor(`4 markers after the hits (seen ${seen})`, async () => ((seen = await end()) === 60_004 ? true : undefined), 5000);
    await admin.disconnect();
    await bus.close();
  });
});
