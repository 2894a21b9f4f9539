/**
 * The Kafka publisher's timeout is on progress (bus/kafka/publisher.ts): a
 * request is refused once Kafka has acknowledged nothing for
 * KAFKA_PUBLISH_TIMEOUT_MS, never while Kafka acknowledges it part by part —
 * refusing it then answered 503 for lines that still landed, and a shipper's
 * retry counted them twice. A broker that acknowledges slowly but surely
 * cannot be had on demand, so `send` (one produce request, acks from all
 * replicas) is replaced by one that takes a set time; the behaviour with a
 * real broker that is down is tested in tests/kafka/failures.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Kafka, type Message } from 'kafkajs';
import { KafkaPublisher } from '../../bus/kafka/publisher.ts';
import { loadConfig } from '../../common/config.ts';
import { testLogHit } from '../helpers/hits.ts';

const TIMEOUT_MS = 1000;
const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', KAFKA_PUBLISH_TIMEOUT_MS: String(TIMEOUT_MS), KAFKA_LINGER_MS: '5' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A publisher whose produce requests each take `ackMs` (Infinity: never acknowledged). */
class SlowlyAcknowledged extends KafkaPublisher {
  sent = 0;
  constructor(private readonly ackMs: number) {
    super(new Kafka({ clientId: 'test', brokers: config.KAFKA_BROKERS }), config);
  }

  override async send(messages: Message[]): Promise<void> {
    await (Number.isFinite(this.ackMs) ? sleep(this.ackMs) : new Promise(() => undefined));
    this.sent += messages.length;
  }
}

/** Log hits of about `bytes` in all, as one /api/logs body brings them. */
const hits = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    testLogHit(
      `203.0.113.${i % 250} - - [02/Dec/2026:10:00:00 +0000] "GET /articles/${i}?${'q'.repeat(400)} HTTP/1.1" 200 512 "-" "Mozilla/5.0"`,
    ),
  );

describe('Kafka publisher timeout', () => {
  it('lets a big request through while Kafka acknowledges it part by part, past the timeout', async () => {
    const publisher = new SlowlyAcknowledged(400);
    const big = hits(6000); // ~3 MB: four or more produce requests of 768 KB, 400 ms each
    const started = Date.now();
    await publisher.publish(big);
    expect(publisher.sent).toBe(big.length);
    // The scenario did cross the timeout: a deadline per request would have refused it.
    expect(Date.now() - started).toBeGreaterThan(TIMEOUT_MS);
  });

  it('lets a request waiting behind a big one through while the big one makes progress', async () => {
    const publisher = new SlowlyAcknowledged(400);
    const big = publisher.publish(hits(6000));
    await sleep(50);
    const small = publisher.publish(hits(1));
    await expect(Promise.all([big, small])).resolves.toBeDefined();
    expect(publisher.sent).toBe(6001);
  });

  it('refuses a request once Kafka has acknowledged nothing for the timeout', async () => {
    const publisher = new SlowlyAcknowledged(Infinity);
    const started = Date.now();
    await expect(publisher.publish(hits(10))).rejects.toThrow(`Kafka acknowledged nothing for ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
  });
});
