/**
 * The Kafka publisher's timeout is on progress (bus/kafka/publisher.ts): a
 * request is refused once Kafka has acknowledged nothing for
 * KAFKA_PUBLISH_TIMEOUT_MS, never while Kafka acknowledges it part by part —
 * refusing it then answered 503 for lines that still landed, and a shipper's
 * retry counted them twice. And a flush refused part-way is never committed.
 * A broker that acknowledges slowly but surely cannot be had on demand, so
 * the transport (the transactional producer: one produce request per
 * SEND_BYTES, then the commit) is replaced by one whose requests take a set
 * time; the behaviour with a real broker that is down or frozen is tested in
 * tests/kafka/failures.test.ts and tests/kafka/frozen-broker.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Kafka, type Message } from 'kafkajs';
import { KafkaPublisher, type HitTransport } from '../../bus/kafka/publisher.ts';
import { splitIntoRequests } from '../../bus/kafka/split-requests.ts';
import { loadConfig } from '../../common/config.ts';
import { testLogHit } from '../helpers/hits.ts';

const TIMEOUT_MS = 1000;
const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', KAFKA_PUBLISH_TIMEOUT_MS: String(TIMEOUT_MS), KAFKA_LINGER_MS: '5' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A transport whose produce requests each take `ackMs` (Infinity: never acknowledged); `sent` counts committed hits. */
class SlowlyAcknowledged implements HitTransport {
  sent = 0;
  aborted = 0;
  /** Holds the next request until called. */
  hold: Promise<void> | undefined;
  constructor(private readonly ackMs: number) {}

  async publish(messages: Message[], progress: () => void, proceed: (toCommit: boolean) => boolean): Promise<void> {
    for (const request of splitIntoRequests(messages)) {
      if (!proceed(false)) return this.abort();
      await (this.hold ?? (Number.isFinite(this.ackMs) ? sleep(this.ackMs) : new Promise(() => undefined)));
      progress();
      void request;
    }
    if (!proceed(true)) return this.abort();
    this.sent += messages.length;
  }

  private abort(): Promise<void> {
    this.aborted++;
    return Promise.reject(new Error('aborted'));
  }

  async close(): Promise<void> {}
}

const publisherOn = (transport: HitTransport) =>
  new KafkaPublisher(new Kafka({ clientId: 'test', brokers: config.KAFKA_BROKERS }), config, transport);

/** Log hits of about `bytes` in all, as one /api/logs body brings them. */
const hits = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    testLogHit(
      `203.0.113.${i % 250} - - [02/Dec/2026:10:00:00 +0000] "GET /articles/${i}?${'q'.repeat(400)} HTTP/1.1" 200 512 "-" "Mozilla/5.0"`,
    ),
  );

describe('Kafka publisher timeout', () => {
  it('lets a big request through while Kafka acknowledges it part by part, past the timeout', async () => {
    const kafka = new SlowlyAcknowledged(400);
    const publisher = publisherOn(kafka);
    const big = hits(6000); // ~3 MB: four or more produce requests of 768 KB, 400 ms each
    const started = Date.now();
    await publisher.publish(big);
    expect(kafka.sent).toBe(big.length);
    // The scenario did cross the timeout: a deadline per request would have refused it.
    expect(Date.now() - started).toBeGreaterThan(TIMEOUT_MS);
  });

  it('lets a request waiting behind a big one through while the big one makes progress', async () => {
    const kafka = new SlowlyAcknowledged(400);
    const publisher = publisherOn(kafka);
    const big = publisher.publish(hits(6000));
    await sleep(50);
    const small = publisher.publish(hits(1));
    await expect(Promise.all([big, small])).resolves.toBeDefined();
    expect(kafka.sent).toBe(6001);
  });

  it('refuses a request once Kafka has acknowledged nothing for the timeout', async () => {
    const publisher = publisherOn(new SlowlyAcknowledged(Infinity));
    const started = Date.now();
    await expect(publisher.publish(hits(10))).rejects.toThrow(`Kafka acknowledged nothing for ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
  });

  it('never commits a flush refused part-way: what was sent of it is aborted, so a 503 counts nothing', async () => {
    const kafka = new SlowlyAcknowledged(50);
    const publisher = publisherOn(kafka);
    let release!: () => void;
    const big = publisher.publish(hits(6000)); // several requests: the first acknowledged, then Kafka stalls
    await sleep(60);
    kafka.hold = new Promise((r) => (release = r));
    await expect(big).rejects.toThrow(`Kafka acknowledged nothing for ${TIMEOUT_MS} ms`);
    release(); // Kafka answers again: the rest of the flush is not sent and it is not committed
    kafka.hold = undefined;
    await publisher.publish(hits(1)); // the next flush goes through once the refused one is aborted
    expect({ sent: kafka.sent, aborted: kafka.aborted }).toEqual({ sent: 1, aborted: 1 });
  });
});
