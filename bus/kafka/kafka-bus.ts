/**
 * The distributed-mode bus: Apache Kafka through kafkajs. A collector only
 * publishes, a processor only consumes, `scalehouse start` does both; each
 * side connects when first used. A consuming bus also polls the group's lag
 * from the broker (group-lag-poller.ts) and, with it, watches its own
 * consumer: stalled past KAFKA_STALL_RESTART_SECONDS, the consumer is
 * replaced by a fresh one (watchdog.ts).
 */
import type { Kafka } from 'kafkajs';
import { retryWithBackoff } from '../../common/backoff.ts';
import { ScalehouseError, errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { BatchHandler, Bus, BusBatch, BusStats, DeadLetter } from '../bus.ts';
import { totalLag } from './group-lag.ts';
import { pollIntervalMs, startGroupLagPoller, type GroupLagPoller } from './group-lag-poller.ts';
import { stallProblems, partitionStats } from './stall-report.ts';
import { decideRestart, type RestartMemo } from './watchdog.ts';
import { createKafka, ensureTopics, type KafkaConfig } from './kafka-client.ts';
import { KafkaPublisher } from './publisher.ts';
import { runConsumer } from './consumer.ts';
import { RecentRefusal } from '../recent-refusal.ts';
import { FailingBatches } from '../failing-batches.ts';

type RunningConsumer = Awaited<ReturnType<typeof runConsumer>>;

export class KafkaBus implements Bus {
  private kafka: Kafka;
  private publisher: KafkaPublisher;
  private consumer: RunningConsumer | undefined;
  private refused = new RecentRefusal();
  /** Batches being retried, one per partition at most: each partition waits behind its own. */
  private readonly failing = new FailingBatches();
  private lagPoller: GroupLagPoller | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly restartMemos = new Map<number, RestartMemo>();
  /** The watchdog's restart under way, if any: close() waits for it, not for the consumer it abandoned. */
  private restarting: Promise<void> | undefined;
  private restarts = 0;
  private closing = false;

  private constructor(private readonly cfg: KafkaConfig) {
    this.kafka = createKafka(cfg);
    this.publisher = new KafkaPublisher(this.kafka, cfg);
  }

  /** Connects the admin client once to create missing topics. */
  static async open(cfg: KafkaConfig): Promise<KafkaBus> {
    const bus = new KafkaBus(cfg);
    const admin = bus.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, cfg);
    } finally {
      await admin.disconnect();
    }
    return bus;
  }

  publish(hits: Parameters<Bus['publish']>[0]): Promise<void> {
    return this.publisher.publish(hits).then(
      () => this.refused.clear(),
      (err: unknown) => {
        throw this.refused.note(err);
      },
    );
  }

  problems(): string[] {
    const refused = this.refused.problem('Kafka');
    return [
      ...(refused ? [refused] : []),
      ...this.failing.problems().map((p) => `the processor cannot consume the bus: ${p}`),
      ...stallProblems(this.lagPoller?.partitions() ?? [], {
        topic: this.cfg.KAFKA_TOPIC,
        own: this.consumer?.own() ?? [],
        failing: this.failingPartitions(),
        now: Date.now(),
      }),
    ];
  }

  /** Dead letters go to the DLQ topic unchanged, with the reason and origin in headers, so they can be replayed. */
  async deadLetter(items: DeadLetter[], batch: BusBatch): Promise<void> {
    if (items.length === 0) return;
    await this.publisher.send(
      items.map(({ record, reason, detail }) => ({
        key: record.key ?? null,
        value: record.raw ?? record.value,
        headers: { reason, detail: detail.slice(0, 1000), source: record.position, batch: batch.token },
      })),
      this.cfg.KAFKA_DLQ_TOPIC,
    );
  }

  async consume(handler: BatchHandler, options: { maxRecords: number }): Promise<void> {
    if (this.consumer) throw new ScalehouseError('this bus already consumes');
    this.consumer = await runConsumer(this.kafka, this.cfg, handler, options.maxRecords, this.failing);
    const stallMs = this.cfg.KAFKA_STALL_SECONDS * 1000;
    this.lagPoller = await startGroupLagPoller(this.kafka, { topic: this.cfg.KAFKA_TOPIC, group: this.cfg.KAFKA_GROUP, stallMs });
    this.watchdog = setInterval(() => this.watch(handler, options.maxRecords), pollIntervalMs(stallMs));
    this.watchdog.unref();
  }

  stats(): BusStats {
    const error = this.failing.problems()[0];
    const view = this.lagPoller?.partitions() ?? [];
    return {
      lag: totalLag(view),
      bytes: 0,
      ...(error ? { error } : {}),
      failing: this.failing.list(),
      ...(this.lagPoller ? { partitions: partitionStats(view), consumerRestarts: this.restarts } : {}),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    await this.restarting;
    await this.lagPoller?.stop();
    await this.consumer?.stop();
    await this.publisher.close();
  }

  /** Partitions with a batch failing and being retried here (their stream is `topic:partition`). */
  private failingPartitions(): Set<number> {
    return new Set(this.failing.list().map((f) => Number(f.batch.split(':').at(-2))));
  }

  /** The watchdog's round: replaces this bus's consumer when watchdog.ts says so. */
  private watch(handler: BatchHandler, maxRecords: number): void {
    const consumer = this.consumer;
    if (!consumer || !this.lagPoller || this.restarting || this.closing) return;
    const decision = decideRestart({
      now: Date.now(),
      restartMs: this.cfg.KAFKA_STALL_RESTART_SECONDS * 1000,
      consumerSince: consumer.joinedAt(),
      own: consumer.own(),
      view: this.lagPoller.partitions(),
      failing: this.failingPartitions(),
      handling: consumer.handling(),
      restarts: this.restartMemos,
    });
    if (!decision) return;
    this.restartMemos.set(decision.partition, decision.memo);
    this.restarts++;
    log.warn('restarting the Kafka consumer: it is stalled (KAFKA_STALL_RESTART_SECONDS)', {
      reason: decision.reason,
      restarts: this.restarts,
    });
    this.restarting = this.restart(consumer, handler, maxRecords).finally(() => (this.restarting = undefined));
  }

  /**
   * The stuck consumer first: it stops fetching and will commit nothing. Its running handler is left
   * behind; the partition's next owner (the fresh consumer here, or another processor) reads the
   * range it recorded and redoes exactly it, under the same token. The fresh consumer joins once the
   * broker has dropped the old member (its session timeout, at most).
   */
  private async restart(consumer: RunningConsumer, handler: BatchHandler, maxRecords: number): Promise<void> {
    consumer.abandon();
    await retryWithBackoff(
      async () => {
        this.consumer = await runConsumer(this.kafka, this.cfg, handler, maxRecords, this.failing);
      },
      () => !this.closing,
      (err) => log.warn('cannot start a fresh Kafka consumer, will retry', { error: errorMessage(err) }),
    );
  }
}
