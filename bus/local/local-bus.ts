/**
 * The embedded-mode bus: an append-only, checksummed log of hits on local disk.
 *
 * publish() resolves only once its records are whole on disk and synced
 * (log-appender.ts), so a 2xx is only ever sent for hits that survive a
 * crash; a disk under its reserve means 507, a failed write 503. One
 * in-process consumer reads them in batches (read-range.ts); before handling
 * a batch it records the batch's range in the checkpoint, so a restart
 * redelivers exactly the same range under the same token, and it moves the
 * checkpoint past the batch only after the handler (the ClickHouse insert)
 * succeeded. Up to two ranges are in flight — one loading while the next is
 * prepared (bus/pipeline.ts) — and committed in order. Segments wholly
 * behind the checkpoint are deleted.
 */
import { encodeHit, type Hit } from '../../common/hit.ts';
import { BusUnavailableError, ScalehouseError, errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { backoff } from '../../common/backoff.ts';
import { writeFileAtomic } from '../../common/data-files.ts';
import type { BatchHandler, Bus, BusBatch, BusStats, TwoPhaseHandler } from '../bus.ts';
import { logFailedBatch } from '../deliver.ts';
import { runPipeline, twoPhase } from '../pipeline.ts';
import { FailingBatches } from '../failing-batches.ts';
import { encodeRecord } from './record-codec.ts';
import { SegmentWriter } from './segment-writer.ts';
import { DiskSpace } from './disk-space.ts';
import { LogAppender } from './log-appender.ts';
import { checkpointPath, openLog, type Checkpoint } from './open-log.ts';
import { NO_CURSOR, readRange } from './read-range.ts';

export interface LocalBusOptions {
  dir: string;
  /** Refuse new hits (503) once this many unconsumed bytes sit on disk. */
  maxBytes?: number;
  segmentBytes?: number;
  /** Start a new segment after this long, so consumed hits do not linger in an old one (default 10 minutes). */
  segmentMaxAgeMs?: number;
  /** Free space to leave on the disk: below it publish refuses with InsufficientStorageError (507). */
  reserveBytes?: number;
  /** A consumer that commits nothing for this long while hits wait is reported as stalled (default 2 minutes). */
  stalledAfterMs?: number;
}

export class LocalBus implements Bus {
  private wake: (() => void) | undefined;
  private stopping = false;
  /** Why reading or checkpointing the log fails, if it does. */
  private consumerError: string | undefined;
  /** The batch being retried, if one is: the whole log waits behind it. */
  private readonly failing = new FailingBatches();
  /** When the consumer last committed a batch (or had nothing to do). */
  private progressAt = Date.now();
  private loop: Promise<void> | undefined;
  private maintenance: NodeJS.Timeout | undefined;

  private constructor(
    private readonly opts: LocalBusOptions,
    private readonly busId: string,
    private checkpoint: Checkpoint,
    private readonly appender: LogAppender,
  ) {
    appender.onDurable = () => this.wake?.();
  }

  static async open(opts: LocalBusOptions): Promise<LocalBus> {
    const writer = new SegmentWriter(opts.dir);
    const opened = await openLog(opts.dir, writer);
    const disk = new DiskSpace(opts.dir, opts.reserveBytes ?? 0);
    await disk.refresh();
    const segmentMaxAgeMs = opts.segmentMaxAgeMs ?? 10 * 60_000;
    const appender = new LogAppender(
      writer,
      disk,
      { segmentBytes: opts.segmentBytes ?? 16 * 1024 ** 2, segmentMaxAgeMs },
      opened.segments,
      opened.durable,
      opened.diskBytes,
    );
    const bus = new LocalBus(opts, opened.busId, opened.checkpoint, appender);
    // Consumed hits must not linger in a segment that is still being written to: roll old ones.
    bus.maintenance = setInterval(() => void appender.rollIfOld(bus.checkpoint.next), Math.min(60_000, segmentMaxAgeMs)).unref();
    return bus;
  }

  publish(hits: Hit[]): Promise<void> {
    if (hits.length === 0) return Promise.resolve();
    if (this.stopping) return Promise.reject(new BusUnavailableError('the local bus is shutting down'));
    const buf = Buffer.concat(hits.map((h) => encodeRecord(encodeHit(h))));
    const maxBytes = this.opts.maxBytes ?? 1024 ** 3;
    if (this.appender.diskBytes + this.appender.queuedBytes + buf.length > maxBytes) {
      return Promise.reject(
        this.appender.refused.note(
          new BusUnavailableError(
            `the local bus holds ${this.appender.diskBytes} unprocessed bytes (limit ${maxBytes}); is ClickHouse keeping up?`,
          ),
        ),
      );
    }
    return this.appender.append(buf, hits.length);
  }

  stats(): BusStats {
    const error = this.consumerError ?? this.failing.problems()[0];
    return {
      lag: this.appender.durable - this.checkpoint.next,
      bytes: this.appender.diskBytes,
      diskFree: this.appender.disk.freeBytes,
      ...(error ? { error } : {}),
      failing: this.failing.list(),
    };
  }

  /** Why this bus cannot do its whole job right now (for /readyz): refused writes, a full disk, a failing or stalled consumer. */
  problems(): string[] {
    const out: string[] = [];
    const refused = this.appender.refused.problem('the local bus');
    if (refused) out.push(refused);
    else if (!this.appender.disk.allows(0)) out.push(this.appender.diskFull().message);
    const waiting = this.appender.durable - this.checkpoint.next;
    if (this.consumerError) out.push(`the processor cannot consume the bus: ${this.consumerError}`);
    const failing = this.failing.problems();
    out.push(...failing.map((p) => `the processor cannot consume the bus: ${p}`));
    if (this.consumerError || failing.length) return out;
    if (this.loop && waiting > 0 && Date.now() - this.progressAt > (this.opts.stalledAfterMs ?? 120_000)) {
      out.push(`the processor has loaded nothing for ${Math.round((Date.now() - this.progressAt) / 1000)} s while ${waiting} hits wait`);
    }
    return out;
  }

  async consume(handler: BatchHandler | TwoPhaseHandler, options: { maxRecords: number }): Promise<void> {
    if (this.loop !== undefined) throw new ScalehouseError('the local bus has one consumer');
    this.loop = this.run(twoPhase(handler), options.maxRecords).catch((err) => {
      log.error('local bus consumer stopped', { error: errorMessage(err) });
    });
  }

  private async run(handler: TwoPhaseHandler, maxRecords: number): Promise<void> {
    for (let failures = 0; !this.stopping; ) {
      try {
        await this.drain(handler, maxRecords);
        failures = 0;
        this.consumerError = undefined;
        // Checked and waited for in one go (no await between): a record made durable meanwhile wakes it.
        if (!this.stopping && this.checkpoint.inflight.length === 0 && this.appender.durable <= this.checkpoint.next) {
          this.progressAt = Date.now();
          await new Promise<void>((r) => (this.wake = r));
          this.wake = undefined;
        }
      } catch (err) {
        // Disk trouble (full, unreadable) must not end consuming for good: report it, wait, try again.
        this.consumerError = errorMessage(err);
        log.error('local bus consumer: cannot read or checkpoint, will retry', { attempt: failures, error: this.consumerError });
        await backoff(failures++);
      }
    }
  }

  /**
   * Every batch there is now, through the shared pipeline (bus/pipeline.ts): first the ranges the
   * checkpoint holds in flight (a restart redoes them in order, under their tokens), then new ones.
   * Each is recorded in the checkpoint before it is prepared and committed only once it loaded.
   */
  private drain(handler: TwoPhaseHandler, maxRecords: number): Promise<boolean> {
    const redo = [...this.checkpoint.inflight];
    let cursor = NO_CURSOR;
    let taken = redo.at(-1)?.to ?? this.checkpoint.next;
    return runPipeline({
      handler,
      take: async () => {
        if (this.stopping) return undefined;
        const recorded = redo.shift();
        const durable = this.appender.durable;
        const range = recorded ?? (taken < durable ? { from: taken, to: Math.min(durable, taken + maxRecords) } : undefined);
        if (!range) return undefined;
        const { records, after } = await readRange(this.appender.segments, range.from, range.to, cursor);
        cursor = after;
        taken = range.to;
        const batch: BusBatch = { records, token: `local:${this.busId}:${range.from}-${range.to}`, stream: 'local' };
        return {
          batch,
          // Written before it is prepared: a crash redoes exactly this range under this token.
          save: recorded
            ? undefined
            : () => this.saveCheckpoint({ next: this.checkpoint.next, inflight: [...this.checkpoint.inflight, range] }),
          commit: async () => {
            // Committed in order: the range is the first in flight.
            await this.saveCheckpoint({ next: range.to, inflight: this.checkpoint.inflight.filter((r) => r.from !== range.from) });
            this.failing.cleared('local');
            this.progressAt = Date.now();
            await this.appender.trim(this.checkpoint.next);
          },
        };
      },
      // Shutting down: the ranges stay in flight and are redone on restart.
      keepTrying: () => !this.stopping,
      onFailure: (batch, err, attempt, retriable) => {
        this.failing.failed('local', batch.token, err, retriable);
        logFailedBatch(batch.token, attempt, err, retriable);
      },
    });
  }

  private async saveCheckpoint(cp: Checkpoint): Promise<void> {
    await writeFileAtomic(checkpointPath(this.opts.dir), JSON.stringify(cp));
    this.checkpoint = cp;
  }

  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.maintenance);
    this.wake?.();
    await this.loop;
    await this.appender.close();
  }
}
