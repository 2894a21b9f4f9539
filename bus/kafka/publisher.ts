/**
 * Puts hits on the Kafka topic and resolves only once Kafka acknowledged them
 * from all in-sync replicas (acks = -1) with the idempotent producer. Hits of
 * concurrent requests are gathered for KAFKA_LINGER_MS into one compressed
 * request. The wait is bounded twice: a request that Kafka has not
 * acknowledged within KAFKA_PUBLISH_TIMEOUT_MS is refused, and so is any hit
 * beyond a fixed number already waiting — the collector then answers 503 with
 * Retry-After instead of holding memory or acknowledging what may be lost.
 */
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Hit } from '../../common/hit.ts';
import { BusUnavailableError, errorMessage } from '../../common/errors.ts';
import { hitKey } from './hit-key.ts';
import type { KafkaConfig } from './kafka-client.ts';

const MAX_WAITING_HITS = 50_000;
const FLUSH_BYTES = 1024 * 1024;
// Below the broker's default message.max.bytes (1 MiB) per record batch, before compression.
const SEND_BYTES = 768 * 1024;

interface Waiting { messages: Message[]; bytes: number; settle: (err?: Error) => void }

export class KafkaPublisher {
  private producer: Producer;
  private connecting: Promise<void> | undefined;
  private queue: Waiting[] = [];
  private queuedBytes = 0;
  private waitingHits = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(kafka: Kafka, private readonly cfg: KafkaConfig) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3, maxRetryTime: 2000 } });
  }

  publish(hits: Hit[]): Promise<void> {
    // The cap is on what *others* have waiting: one big batch alone is always let through.
    if (this.waitingHits > 0 && this.waitingHits + hits.length > MAX_WAITING_HITS) {
      return Promise.reject(new BusUnavailableError(`${this.waitingHits} hits are already waiting for Kafka`));
    }
    const messages = hits.map((h) => ({ key: hitKey(h), value: JSON.stringify(h) }));
    const bytes = messages.reduce((n, m) => n + m.value.length, 0);
    this.waitingHits += hits.length;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const timeout = setTimeout(() => settle(new BusUnavailableError(`Kafka did not acknowledge within ${this.cfg.KAFKA_PUBLISH_TIMEOUT_MS} ms`)), this.cfg.KAFKA_PUBLISH_TIMEOUT_MS);
      const settle = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        this.waitingHits -= hits.length;
        if (err) reject(err);
        else resolve();
      };
      this.queue.push({ messages, bytes, settle });
      this.queuedBytes += bytes;
      if (this.queuedBytes >= FLUSH_BYTES) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.cfg.KAFKA_LINGER_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0);
    this.queuedBytes = 0;
    if (batch.length === 0) return;
    this.sendInChunks(batch.flatMap((w) => w.messages)).then(
      () => batch.forEach((w) => w.settle()),
      (err) => {
        const e = new BusUnavailableError(`Kafka refused the hits: ${errorMessage(err)}`, err);
        batch.forEach((w) => w.settle(e));
      },
    );
  }

  /** One request per SEND_BYTES of messages, so no record batch exceeds what the broker takes. */
  private async sendInChunks(messages: Message[]): Promise<void> {
    let chunk: Message[] = [];
    let bytes = 0;
    for (const m of messages) {
      const size = (m.value as string).length;
      if (chunk.length && bytes + size > SEND_BYTES) {
        await this.send(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += size;
    }
    if (chunk.length) await this.send(chunk);
  }

  /** Sends with acks from all in-sync replicas; connects (again) on demand, so a returning broker is picked up by itself. */
  async send(messages: Message[], topic = this.cfg.KAFKA_TOPIC): Promise<void> {
    this.connecting ??= this.producer.connect().catch((err) => {
      this.connecting = undefined;
      throw err;
    });
    await this.connecting;
    await this.producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, timeout: this.cfg.KAFKA_PUBLISH_TIMEOUT_MS, messages });
  }

  async close(): Promise<void> {
    this.flush();
    await this.producer.disconnect();
  }
}
