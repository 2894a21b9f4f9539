/**
 * A processor's Kafka consumer under its watchdog (watchdog.ts decides): at
 * every round, a consumer stalled past KAFKA_STALL_RESTART_SECONDS on a
 * partition of its own is abandoned and a fresh one joins the group in its
 * place. The abandoned one stops fetching and commits nothing more; its
 * running handler is left behind, and the partition's next owner (the fresh
 * consumer, or another processor) redoes the batch it recorded exactly,
 * under the same token. The fresh consumer joins once the broker has dropped
 * the old member (its session timeout at most: the old one cannot leave
 * while its handler runs).
 */
import type { Kafka } from 'kafkajs';
import { retryWithBackoff } from '../../common/backoff.ts';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { TwoPhaseHandler } from '../bus.ts';
import type { FailingBatches } from '../failing-batches.ts';
import type { PartitionLag } from './group-lag.ts';
import type { KafkaConfig } from './kafka-client.ts';
import { runConsumer } from './consumer.ts';
import { decideRestart, type RestartMemo } from './watchdog.ts';

type RunningConsumer = Awaited<ReturnType<typeof runConsumer>>;

export class WatchedConsumer {
  private readonly memos = new Map<number, RestartMemo>();
  /** The restart under way, if any: stop() waits for it, not for the consumer it abandoned. */
  private restarting: Promise<void> | undefined;
  private stopping = false;
  /** How often the watchdog replaced the consumer. */
  restarts = 0;

  private constructor(
    private consumer: RunningConsumer,
    private readonly start: () => Promise<RunningConsumer>,
    private readonly failing: FailingBatches,
    private readonly restartMs: number,
  ) {}

  static async start(kafka: Kafka, cfg: KafkaConfig, handler: TwoPhaseHandler, maxRecords: number, failing: FailingBatches) {
    const start = () => runConsumer(kafka, cfg, handler, maxRecords, failing);
    return new WatchedConsumer(await start(), start, failing, cfg.KAFKA_STALL_RESTART_SECONDS * 1000);
  }

  /** The partitions of the current consumer's last assignment (the abandoned one's until the fresh one joins). */
  own(): readonly number[] {
    return this.consumer.own();
  }

  /** Partitions with a batch failing and being retried here (their token is `kafka:topic:partition:from-to`). */
  failingPartitions(): Set<number> {
    return new Set(this.failing.list().map((f) => Number(f.batch.split(':').at(-2))));
  }

  /** One round of the watchdog, on the group's latest view. */
  watch(view: readonly PartitionLag[], now = Date.now()): void {
    if (this.restarting || this.stopping) return;
    const consumer = this.consumer;
    const decision = decideRestart({
      now,
      restartMs: this.restartMs,
      consumerSince: consumer.joinedAt(),
      own: consumer.own(),
      view,
      failing: this.failingPartitions(),
      handling: consumer.handling(),
      committedAt: consumer.committedAt(),
      restarts: this.memos,
    });
    if (!decision) return;
    this.memos.set(decision.partition, decision.memo);
    this.restarts++;
    log.warn('restarting the Kafka consumer: it is stalled (KAFKA_STALL_RESTART_SECONDS)', {
      reason: decision.reason,
      restarts: this.restarts,
    });
    consumer.abandon();
    this.restarting = retryWithBackoff(
      async () => {
        this.consumer = await this.start();
      },
      () => !this.stopping,
      (err) => log.warn('cannot start a fresh Kafka consumer, will retry', { error: errorMessage(err) }),
    ).then(
      () => (this.restarting = undefined),
      () => (this.restarting = undefined),
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    await this.consumer.stop(); // an abandoned consumer (a restart given up on) returns at once
  }
}
