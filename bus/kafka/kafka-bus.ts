/**
 * The distributed-mode bus: Apache Kafka through kafkajs. A collector only
 * publishes, a processor only consumes, `scalehouse start` does both; each
 * side connects when first used. A consuming bus also polls the group's lag
 * from the broker (group-lag-poller.ts) and, with it, watches its own
 * consumer: stalled past KAFKA_STALL_RESTART_SECONDS, the consumer is
 * replaced by a fresh one (consumer-watchdog.ts).
 */
import type { Kafka } from 'kafkajs';
import { ScalehouseError } from '../../common/errors.ts';
import type { BatchHandler, Bus, BusBatch, BusStats, DeadLetter, TwoPhaseHandler } from '../bus.ts';
import { twoPhase } from '../pipeline.ts';
import { totalLag } from './group-lag.ts';
import { pollIntervalMs, startGroupLagPoller, type GroupLagPoller } from './group-lag-poller.ts';
import { stallProblems, partitionStats } from './stall-report.ts';
import { WatchedConsumer } from './consumer-watchdog.ts';
import { createKafka, ensureTopics, type KafkaConfig } from './kafka-client.ts';
import { KafkaPublisher } from './publisher.ts';
import { RecentRefusal } from '../recent-refusal.ts';
import { FailingBatches } from '../failing-batches.ts';

/**
 * Joining waits for every member the group had to rejoin or time out: after a processor was killed
 * without leaving, up to its session timeout (consumer.ts).
 */
const JOINING =
  'the processor is joining the Kafka consumer group: hits are accepted and wait on the bus (after a processor stopped without leaving the group, Kafka waits out its session timeout, KAFKA_SESSION_TIMEOUT_MS, first)';

export class KafkaBus implements Bus {
  private kafka: Kafka;
  private publisher: KafkaPublisher;
  private consumer: WatchedConsumer | undefined;
  private refused = new RecentRefusal();
  /** Batches being retried, one per partition at most: each partition waits behind its own. */
  private readonly failing = new FailingBatches();
  /** Consuming was asked for and the consumer has not joined its group yet. */
  private joining: Promise<unknown> | undefined;
  private lagPoller: GroupLagPoller | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  private constructor(
    private readonly cfg: KafkaConfig,
    kafka: Kafka,
  ) {
    this.kafka = kafka;
    this.publisher = new KafkaPublisher(this.kafka, cfg);
  }

  /**
   * Connects the admin client once to create missing topics. `kafka`: a client of the caller's own
   * (tests: one whose connections can be cut as a killed process's are, tests/helpers/killable-kafka.ts).
   */
  static async open(cfg: KafkaConfig, kafka: Kafka = createKafka(cfg)): Promise<KafkaBus> {
    const bus = new KafkaBus(cfg, kafka);
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
      ...(this.joining !== undefined ? [JOINING] : []),
      ...this.failing.problems().map((p) => `the processor cannot consume the bus: ${p}`),
      ...stallProblems(this.lagPoller?.partitions() ?? [], {
        topic: this.cfg.KAFKA_TOPIC,
        own: this.consumer?.own() ?? [],
        failing: this.consumer?.failingPartitions() ?? new Set(),
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

  async consume(handler: BatchHandler | TwoPhaseHandler, options: { maxRecords: number }): Promise<void> {
    if (this.consumer || this.joining !== undefined) throw new ScalehouseError('this bus already consumes');
    const joining = this.join(twoPhase(handler), options.maxRecords);
    this.joining = joining;
    try {
      this.consumer = await joining;
    } finally {
      this.joining = undefined;
    }
    const poller = this.lagPoller!;
    this.watchdog = setInterval(() => this.consumer?.watch(poller.partitions()), pollIntervalMs(this.cfg.KAFKA_STALL_SECONDS * 1000));
    this.watchdog.unref();
  }

  /** Reads the lag from the broker from the start (while the consumer joins, hits wait and show), then joins the group. */
  private async join(handler: TwoPhaseHandler, maxRecords: number): Promise<WatchedConsumer> {
    const stallMs = this.cfg.KAFKA_STALL_SECONDS * 1000;
    this.lagPoller = await startGroupLagPoller(this.kafka, { topic: this.cfg.KAFKA_TOPIC, group: this.cfg.KAFKA_GROUP, stallMs });
    return WatchedConsumer.start(this.kafka, this.cfg, handler, maxRecords, this.failing);
  }

  stats(): BusStats {
    const error = this.failing.problems()[0];
    const view = this.lagPoller?.partitions() ?? [];
    return {
      lag: totalLag(view),
      bytes: 0,
      ...(error ? { error } : {}),
      failing: this.failing.list(),
      ...(this.consumer ? { partitions: partitionStats(view), consumerRestarts: this.consumer.restarts } : {}),
    };
  }

  async close(): Promise<void> {
    // A consumer still joining is let finish joining (at most the session timeout), then leaves the group.
    await this.joining?.catch(() => undefined);
    clearInterval(this.watchdog);
    await this.lagPoller?.stop();
    await this.consumer?.stop();
    await this.publisher.close();
  }
}
