/**
 * Puts hits on the Kafka topic and resolves only once Kafka committed them:
 * each flush is one transaction (bus/kafka/transactional-producer.ts), acked
 * by all in-sync replicas (acks = -1). Hits of concurrent requests are
 * gathered for KAFKA_LINGER_MS into one flush; while a flush's transaction
 * runs the next requests wait for the one after (a producer has one
 * transaction at a time). The wait is bounded twice: a request is refused
 * once Kafka has acknowledged nothing for KAFKA_PUBLISH_TIMEOUT_MS, and so is
 * any hit beyond a fixed number already waiting — the collector then answers
 * 503 with Retry-After instead of holding memory or acknowledging what may be
 * lost.
 *
 * A refused request's hits are never read by a processor: a request still
 * waiting was never sent, and a flush refused part-way is aborted, never
 * committed. So a shipper that sends the body again counts no line twice
 * (issue 28 saw 74,427 of 1,000,000 lines counted twice when parts of 10 MiB
 * bodies were acknowledged before the 503). Once a flush's commit is sent its
 * requests wait for the commit's outcome instead of their deadline.
 *
 * The timeout is on progress, not on the whole request: a 10 MiB body of log
 * lines is sent as a dozen requests and may take longer than the timeout while
 * Kafka acknowledges every part.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { encodeHit, type Hit } from '../../common/hit.ts';
import { BusUnavailableError } from '../../common/errors.ts';
import { hitKey } from './hit-key.ts';
import type { KafkaConfig } from './kafka-client.ts';
import { TransactionalProducer } from './transactional-producer.ts';

const MAX_WAITING_HITS = 50_000;
const FLUSH_BYTES = 1024 * 1024;

/** One flush's transaction: refused once a deadline of its requests passed before its commit was sent. */
interface Flight {
  refused: boolean;
  committing: boolean;
}

/** What carries a flush to Kafka: the transactional producer; tests put a broker of set speed in its place. */
export type HitTransport = Pick<TransactionalProducer, 'publish' | 'close'>;

interface Waiting {
  messages: Message[];
  bytes: number;
  settle: (err?: Error) => void;
  /** Set once the request is in a flush. */
  flight?: Flight;
}

export class KafkaPublisher {
  private hits: HitTransport;
  /** Dead letters: at least once, outside any transaction. */
  private plain: Producer;
  private connecting: Promise<void> | undefined;
  private queue: Waiting[] = [];
  private queuedBytes = 0;
  private waitingHits = 0;
  private timer: NodeJS.Timeout | undefined;
  private flying: Promise<void> | undefined;
  private inFlight: Waiting[] = [];
  private rearms = new Set<() => void>();

  constructor(
    kafka: Kafka,
    private readonly cfg: KafkaConfig,
    hits?: HitTransport,
  ) {
    this.hits = hits ?? new TransactionalProducer(kafka, cfg);
    this.plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3, maxRetryTime: 2000 } });
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
      const settle = (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        this.rearms.delete(rearm);
        this.waitingHits -= hits.length;
        if (err) reject(err);
        else resolve();
      };
      const waiting: Waiting = { messages, bytes, settle };
      const rearm = () => {
        clearTimeout(timeout);
        timeout = setTimeout(() => this.expire(waiting), this.cfg.KAFKA_PUBLISH_TIMEOUT_MS);
      };
      rearm();
      this.rearms.add(rearm);
      this.queue.push(waiting);
      this.queuedBytes += bytes;
      if (this.queuedBytes >= FLUSH_BYTES) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.cfg.KAFKA_LINGER_MS);
    });
  }

  /** Kafka acknowledged nothing for the request's deadline: refuse it, and its whole flush unless that is committing. */
  private expire(w: Waiting): void {
    const err = new BusUnavailableError(`Kafka acknowledged nothing for ${this.cfg.KAFKA_PUBLISH_TIMEOUT_MS} ms`);
    if (!w.flight) {
      const at = this.queue.indexOf(w);
      if (at >= 0) this.queue.splice(at, 1);
      this.queuedBytes -= w.bytes;
      w.settle(err);
      return;
    }
    if (w.flight.committing) return; // the commit's outcome answers it
    w.flight.refused = true;
    for (const other of this.inFlight) other.settle(err);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flying || this.queue.length === 0) return;
    const batch = this.queue.splice(0);
    this.queuedBytes = 0;
    const flight: Flight = { refused: false, committing: false };
    for (const w of batch) w.flight = flight;
    this.inFlight = batch;
    const proceed = (toCommit: boolean) => {
      if (flight.refused) return false;
      if (toCommit) flight.committing = true;
      return true;
    };
    this.flying = this.hits
      .publish(
        batch.flatMap((w) => w.messages),
        () => this.rearms.forEach((r) => r()),
        proceed,
      )
      .then(
        () => batch.forEach((w) => w.settle()),
        (err: BusUnavailableError) => batch.forEach((w) => w.settle(err)),
      )
      .finally(() => {
        this.flying = undefined;
        this.inFlight = [];
        this.flush();
      });
  }

  /** Sends outside any transaction (dead letters); connects (again) on demand, so a returning broker is picked up by itself. */
  async send(messages: Message[], topic = this.cfg.KAFKA_TOPIC): Promise<void> {
    this.connecting ??= this.plain.connect().catch((err) => {
      this.connecting = undefined;
      throw err;
    });
    await this.connecting;
    await this.plain.send({ topic, acks: -1, compression: CompressionTypes.GZIP, timeout: this.cfg.KAFKA_PUBLISH_TIMEOUT_MS, messages });
  }

  async close(): Promise<void> {
    this.flush();
    await this.flying;
    await this.hits.close();
    await this.plain.disconnect();
  }
}
