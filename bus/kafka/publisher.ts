/**
 * Puts hits on the Kafka topic and resolves only once Kafka acknowledged them
 * from all in-sync replicas (acks = -1) with the idempotent producer. Hits of
 * concurrent requests are gathered for KAFKA_LINGER_MS into one compressed
 * request. The wait is bounded twice: a request is refused once Kafka has
 * acknowledged nothing for KAFKA_PUBLISH_TIMEOUT_MS, and so is any hit
 * beyond a fixed number already waiting — the collector then answers 503 with
 * Retry-After instead of holding memory or acknowledging what may be lost.
 *
 * The timeout is on progress, not on the whole request: a 10 MiB body of log
 * lines is sent as a dozen requests and may take longer than the timeout while
 * Kafka acknowledges every part. Refusing it then would answer 503 for lines
 * that still land, and the shipper's retry would count them twice
 * (bench/logs.ts saw 100,000 lines counted ~1,000,000 times).
 */
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { encodeHit, type Hit } from '../../common/hit.ts';
import { BusUnavailableError, errorMessage } from '../../common/errors.ts';
import { hitKey } from './hit-key.ts';
import type { KafkaConfig } from './kafka-client.ts';

const MAX_WAITING_HITS = 50_000;
const FLUSH_BYTES = 1024 * 1024;
// Below the broker's default message.max.bytes (1 MiB) per record batch, before compression.
const SEND_BYTES = 768 * 1024;

interface Waiting {
  messages: Message[];
  bytes: number;
  settle: (err?: Error) => void;
}
/** A request's deadline, moved on whenever Kafka acknowledges a part of anything waiting. */
interface Deadline {
  rearm: () => void;
}

export class KafkaPublisher {
  private producer: Producer;
  private connecting: Promise<void> | undefined;
  private queue: Waiting[] = [];
  private queuedBytes = 0;
  private waitingHits = 0;
  private timer: NodeJS.Timeout | undefined;
  private deadlines = new Set<Deadline>();

  constructor(
    kafka: Kafka,
    private readonly cfg: KafkaConfig,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3, maxRetryTime: 2000 } });
  }

  publish(hits: Hit[]): Promise<void> {
    // The cap is on what *others* have waiting: one big batch alone is always let through.
    if (this.waitingHits > 0 && this.waitingHits + hits.length > MAX_WAITING_HITS) {
      return Promise.reject(new BusUnavailableError(`${this.waitingHits} hits are already waiting for Kafka`));
    }
    const messages = hits.map((h) => ({ key: hitKey(h), value: encodeHit(h) }));
    const bytes = messages.reduce((n, m) => n + m.value.length, 0);
    this.waitingHits += hits.length;
    return new Promise<void>((resolve, reject) => {
      let done = false;
      let timeout: NodeJS.Timeout | undefined;
      const deadline: Deadline = {
        rearm: () => {
          clearTimeout(timeout);
          timeout = setTimeout(
            () => settle(new BusUnavailableError(`Kafka acknowledged nothing for ${this.cfg.KAFKA_PUBLISH_TIMEOUT_MS} ms`)),
            this.cfg.KAFKA_PUBLISH_TIMEOUT_MS,
          );
        },
      };
      const settle = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        this.deadlines.delete(deadline);
        this.waitingHits -= hits.length;
        if (err) reject(err);
        else resolve();
      };
      deadline.rearm();
      this.deadlines.add(deadline);
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

  /**
   * One request per SEND_BYTES of messages, so no record batch exceeds what the broker takes. Each
   * acknowledged request is progress: every waiting request's deadline moves on.
   */
  private async sendInChunks(messages: Message[]): Promise<void> {
    let chunk: Message[] = [];
    let bytes = 0;
    const sendChunk = async () => {
      await this.send(chunk);
      for (const d of this.deadlines) d.rearm();
    };
    for (const m of messages) {
      const size = (m.value as string).length;
      if (chunk.length && bytes + size > SEND_BYTES) {
        await sendChunk();
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += size;
    }
    if (chunk.length) await sendChunk();
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
