/**
 * One Kafka transaction per flush of the publisher, so that a body the
 * collector refuses (503) is never read by a processor: consumers read
 * committed records only (kafkajs' default, readUncommitted: false — Kafka's
 * isolation.level=read_committed), and a transaction that is not committed is
 * aborted — by us, or by the coordinator when a producer with the same
 * transactional id starts (InitProducerId fences the old epoch and aborts what
 * it left open) or when transactionTimeout passes (KIP-98).
 *
 * The one case a failed call cannot settle is a commit sent whose answer is
 * lost (the broker frozen mid-commit): the broker may have committed it. Each
 * transaction therefore also commits a transactional offset — this flush's
 * number — for a group of this producer's own (the witness), which becomes
 * visible only if the transaction commits. After a lost commit answer the
 * producer is replaced (its InitProducerId waits until the coordinator has
 * finished the transaction either way) and the witness read back: committed
 * → 2xx, not → 503, and still unknown after TRANSACTION_TIMEOUT_MS → 503 with a
 * warning, the one case in which a retry may count lines twice.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CompressionTypes, type Kafka, type Message, type Producer, type Transaction } from 'kafkajs';
import { BusUnavailableError, errorMessage, isRetriable } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { KafkaConfig } from './kafka-client.ts';
import { splitIntoRequests } from './split-requests.ts';
import { readWitness, settleLostCommit } from './transaction-witness.ts';

// kafkajs' default; also how long an open transaction of a collector that died holds back its partitions' readers.
const TRANSACTION_TIMEOUT_MS = 60_000;
// A transaction that failed before its commit is sent again at most this often within one flush.
const SEND_ATTEMPTS = 3;

const refused = () => new BusUnavailableError('refused while Kafka was not answering; its transaction is aborted');

export class TransactionalProducer {
  /** Unique per process: two collectors sharing one would fence each other. */
  readonly transactionalId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly witnessGroup: string;
  private producer: Producer;
  private flushes = 0;
  private witnessFound: Promise<number> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly cfg: KafkaConfig,
  ) {
    this.witnessGroup = `${cfg.KAFKA_GROUP}.publisher.${this.transactionalId}`;
    this.producer = this.create();
  }

  private create(): Producer {
    return this.kafka.producer({
      transactionalId: this.transactionalId,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 3, maxRetryTime: 2000 },
    });
  }

  /**
   * Publishes messages as one transaction and resolves once it is committed. `progress` is called
   * whenever Kafka answered a step (the transaction begun, each request acknowledged, the commit);
   * `proceed` is asked before each request and, with true, before the commit: once it says no,
   * nothing more is sent, the transaction is aborted and this rejects.
   */
  async publish(messages: Message[], progress: () => void, proceed: (toCommit: boolean) => boolean): Promise<void> {
    const flush = ++this.flushes;
    const tx = await this.sendUpToCommit(flush, messages, progress, proceed);
    try {
      await tx.commit();
    } catch (err) {
      const fresh = async () => {
        await this.replace();
        return this.producer;
      };
      const { kafka, witnessGroup: group } = this;
      await settleLostCommit({ kafka, group, topic: this.cfg.KAFKA_TOPIC, flush, cause: err, fresh, untilMs: TRANSACTION_TIMEOUT_MS });
    }
    progress();
  }

  /**
   * Everything of the transaction but its commit. One that fails before its commit is aborted, never
   * read, so it is done again whole (a coordinator moving, a new cluster's offsets topic still loading:
   * kafkajs retries neither AddOffsetsToTxn nor a request of an ended transaction) while `proceed` allows.
   */
  private async sendUpToCommit(
    flush: number,
    messages: Message[],
    progress: () => void,
    proceed: (toCommit: boolean) => boolean,
  ): Promise<Transaction> {
    for (let attempt = 1; ; attempt++) {
      let tx: Transaction | undefined;
      try {
        await this.producer.connect();
        // Once: finding the witness group's coordinator makes a new cluster create its offsets topic.
        this.witnessFound ??= readWitness(this.kafka, this.witnessGroup, this.cfg.KAFKA_TOPIC).catch((err: unknown) => {
          this.witnessFound = undefined;
          throw err;
        });
        await this.witnessFound;
        tx = await this.producer.transaction();
        progress();
        for (const request of splitIntoRequests(messages)) {
          if (!proceed(false)) throw refused();
          const topic = this.cfg.KAFKA_TOPIC;
          await tx.send({
            topic,
            acks: -1,
            compression: CompressionTypes.GZIP,
            timeout: this.cfg.KAFKA_PUBLISH_TIMEOUT_MS,
            messages: request,
          });
          progress();
        }
        const witness = [{ topic: this.cfg.KAFKA_TOPIC, partitions: [{ partition: 0, offset: String(flush) }] }];
        await tx.sendOffsets({ consumerGroupId: this.witnessGroup, topics: witness });
        progress();
        if (!proceed(true)) throw refused();
        return tx;
      } catch (err) {
        await this.abandon(tx);
        if (err instanceof BusUnavailableError) throw err;
        if (attempt >= SEND_ATTEMPTS || !isRetriable(err) || !proceed(false))
          throw new BusUnavailableError(`Kafka refused the hits: ${errorMessage(err)}`, err);
        log.debug('Kafka transaction aborted before its commit; sending it again', { attempt, error: errorMessage(err) });
      }
    }
  }

  /** Aborts; when even that fails (kafkajs then refuses any further transaction), starts a producer afresh. */
  private async abandon(tx: Transaction | undefined): Promise<void> {
    if (tx?.isActive()) {
      try {
        await tx.abort();
        return;
      } catch (err) {
        log.debug('Kafka transaction not aborted; the next producer will have it aborted', { error: errorMessage(err) });
      }
    }
    if (tx) await this.replace();
  }

  /** A new producer under the same transactional id: its InitProducerId (at its first transaction) aborts what the old one left open. */
  private async replace(): Promise<void> {
    const old = this.producer;
    this.producer = this.create();
    await old.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
