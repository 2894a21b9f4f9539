/**
 * The bus between collector and processor. Two adapters implement it: the
 * local, on-disk log (embedded mode) and Kafka (distributed mode). The
 * contract both keep:
 *  - publish() resolves only once the hits are durable (on disk / committed in
 *    a Kafka transaction acked by all in-sync replicas); it rejects with
 *    BusUnavailableError when they cannot be, and the collector answers 503 —
 *    it never acknowledges what it may lose, and what it refuses is never
 *    consumed (a partly written local record is cut off, a Kafka transaction
 *    aborted), so a sender's retry counts nothing twice.
 *  - consume() hands the processor batches with a deterministic `token` derived
 *    from the batch's bus position: redelivering the same position after a
 *    crash yields the same token, which ClickHouse uses to drop the replay.
 *  - a batch is committed (and may be trimmed) only after its handler resolved;
 *    a stream's batches are committed in order. With a two-phase handler, up
 *    to two batches of a stream are in flight — one loading, the next being
 *    prepared — and both ranges are recorded (bus/pipeline.ts).
 */
import type { Hit } from '../common/hit.ts';
import type { FailingBatch } from './failing-batches.ts';

export interface BusRecord {
  /** The encoded Hit, as stored on the bus; with `hit`, what the Hit was made of (a replayed line). */
  value: string;
  /** The Hit itself, when it never went through a bus (`scalehouse replay`): nothing to encode and decode again. */
  hit?: Hit;
  /** Where it sits on the bus, for dead-letter records ("local:42", "scalehouse.hits:3@1017"). */
  position: string;
  /** Its offset within its stream: increases with every record, so state can tell what it has already seen. */
  offset: number;
  /** The bytes as received, where they may not be UTF-8 (Kafka): dead letters keep them exactly. */
  raw?: Buffer;
  /** The message key, where the bus has one (Kafka). */
  key?: string;
  /** Set when the bus itself found the record damaged (checksum mismatch). */
  damaged?: string;
  /** Set when a replayed or tailed line was longer than LOG_LINE_MAX_BYTES and its hit holds only its first bytes: what it was (a dead letter, `line_too_long`). */
  cut?: string;
}

export interface BusBatch {
  records: BusRecord[];
  /** Deterministic per bus position; the base of the ClickHouse deduplication tokens. */
  token: string;
  /** Which stream of the bus the batch came from (a Kafka partition; "local" here): session state is kept per stream. */
  stream: string;
  /** The offset the stream's next batch starts at, where it is not the last record's + 1 (files: byte positions). */
  end?: number;
}

/** Processes one batch; throwing means "not done": the same batch is delivered again. */
export type BatchHandler = (batch: BusBatch) => Promise<void>;

/** A batch processed, its stream's state advanced, and not yet loaded. */
export interface PreparedBatch {
  /** Loads it; throwing means "not done": the bus prepares it again and loads it again, under the same token. */
  load(): Promise<void>;
  /** Lets it go unloaded (what it holds released: staging tables, the stream's state past it). */
  discard(): Promise<void>;
}

/**
 * A handler in two phases, so a bus can process the next batch of a stream while the last one
 * loads (bus/pipeline.ts): prepare calls come in stream order, each only once the one before it
 * resolved; a load only once the batch before it loaded and was committed.
 */
export interface TwoPhaseHandler {
  prepare(batch: BusBatch): Promise<PreparedBatch>;
}

export interface BusStats {
  /** Hits accepted but not yet committed by the processor (Kafka: by the whole consumer group). */
  lag: number;
  /** Bytes of bus data on disk (local bus) — grows while ClickHouse is down. */
  bytes: number;
  /** Free bytes on the bus's disk (local bus). */
  diskFree?: number;
  /** Why consuming is failing right now, if it is. */
  error?: string;
  /** Batches being retried, the longest-failing first (failing-batches.ts). */
  failing?: FailingBatch[];
  /** Kafka: the consumer group's lag per partition, from the broker (`lag` is their sum). */
  partitions?: PartitionStats[];
  /** Kafka: how often the watchdog replaced this process's stalled consumer (kafka/watchdog.ts). */
  consumerRestarts?: number;
}

export interface PartitionStats {
  partition: number;
  /** Hits of the partition the group has not loaded: high watermark − committed offset. */
  lag: number;
  /** Lag > 0 and the committed offset has not moved for KAFKA_STALL_SECONDS. */
  stalled: boolean;
  /** Since when the offset has not moved while hits wait (absent with lag 0). */
  waitingSince?: string;
}

export interface DeadLetter {
  record: BusRecord;
  reason: string;
  detail: string;
}

export interface Bus {
  publish(hits: Hit[]): Promise<void>;
  /** Where the bus has a dead-letter destination of its own (Kafka: the DLQ topic), puts records there. */
  deadLetter?(items: DeadLetter[], batch: BusBatch): Promise<void>;
  /** Starts the consume loop; resolves once it is running. A one-phase handler gets a batch once the one before it is committed. */
  consume(handler: BatchHandler | TwoPhaseHandler, options: { maxRecords: number }): Promise<void>;
  stats(): BusStats;
  /** Why the bus cannot do its whole job right now — hits refused lately, a full disk, a failing consumer — for /readyz. */
  problems(): string[];
  /** Stops consuming after the current batch, flushes and releases files/connections. */
  close(): Promise<void>;
}
