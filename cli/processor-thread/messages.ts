/**
 * What the processor thread and the thread that owns the bus say to each
 * other (processor-thread.ts ↔ worker.ts). Every value crosses by structured
 * clone: plain data only, errors as their message and whether a retry can
 * help (common/errors.ts isRetriable).
 */
import type { BusBatch, DeadLetter } from '../../bus/bus.ts';
import type { ProcessorCounters } from '../../processor/batch/batch-handler.ts';
import type { Config } from '../../common/config.ts';
import type { BatchReport } from '../../server/metrics.ts';
import type { LogSettings } from '../../common/log.ts';

export interface WorkerInput {
  config: Config;
  /** The bus has a dead-letter destination of its own (Kafka's DLQ topic): the worker asks for it. */
  deadLetters: boolean;
  /** The starting thread's logger as configured: this thread's stderr is a pipe to it, so it cannot tell a terminal itself. */
  log: LogSettings;
}

/**
 * To the worker. A batch is prepared, then loaded or discarded (bus/pipeline.ts), all under the id its
 * prepare gave it: the worker keeps what it prepared by id until then.
 */
export type ToWorker =
  | { type: 'prepare'; id: number; batch: BusBatch }
  | { type: 'load'; id: number }
  | { type: 'discard'; id: number }
  | { type: 'dead-lettered'; id: number; error?: string; retriable?: boolean };

/** From the worker. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed-to-start'; error: string }
  /** The answer to 'prepare' and to 'discard'. */
  | { type: 'prepared' | 'discarded'; id: number; error?: string; retriable?: boolean }
  /** The answer to 'load'. */
  | {
      type: 'handled';
      id: number;
      counters: ProcessorCounters;
      openSessions: number;
      report?: BatchReport;
      error?: string;
      retriable?: boolean;
    }
  | { type: 'dead-letter'; id: number; items: DeadLetter[]; batch: BusBatch };
