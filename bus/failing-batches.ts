/**
 * Batches a consumer keeps retrying (bus/deliver.ts) — ClickHouse away, a
 * table missing, a disk failing: reasons a retry can cure, unlike bad data,
 * which the batch handler dead-letters. Everything behind such a batch in its
 * stream (the local log, a Kafka partition) waits, so it must be plain to
 * see: since when it fails, how many attempts, the last error — in /readyz
 * (problems), /metrics and, through pipeline_health, the alerts. The error is
 * masked of addresses (common/redact-ips.ts) before anyone reads it: /readyz
 * answers token holders, but the error of an insert may quote a row.
 */
import { errorMessage } from '../common/errors.ts';
import { redactIps } from '../common/redact-ips.ts';

export interface FailingBatch {
  /** The batch's token: its bus position. */
  batch: string;
  /** When its first attempt failed (ms). */
  since: number;
  attempts: number;
  /** The last attempt's error, masked. */
  error: string;
  /** Whether a retry can cure that error (common/errors.ts isRetriable); the batch is retried either way. */
  retriable: boolean;
}

export class FailingBatches {
  private readonly byStream = new Map<string, FailingBatch>();

  constructor(private readonly now: () => number = Date.now) {}

  /** An attempt at `batch` failed: the first of it starts the clock; another batch of the stream starts it afresh. */
  failed(stream: string, batch: string, err: unknown, retriable = true): void {
    const error = redactIps(errorMessage(err)).slice(0, 500);
    const known = this.byStream.get(stream);
    if (known?.batch === batch) this.byStream.set(stream, { ...known, attempts: known.attempts + 1, error, retriable });
    else this.byStream.set(stream, { batch, since: this.now(), attempts: 1, error, retriable });
  }

  /** The stream's batch was loaded (or the stream went to another consumer): nothing of it waits on a failure. */
  cleared(stream: string): void {
    this.byStream.delete(stream);
  }

  list(): FailingBatch[] {
    return [...this.byStream.values()].sort((a, b) => a.since - b.since);
  }

  /** One line per failing batch, for /readyz. */
  problems(): string[] {
    return this.list().map(
      (f) =>
        `batch ${f.batch} not loaded since ${new Date(f.since).toISOString()} ` +
        `(${Math.round((this.now() - f.since) / 1000)} s, ${f.attempts} ${f.attempts === 1 ? 'attempt' : 'attempts'}; the hits behind it wait), last error${f.retriable ? '' : ' (a retry alone will not cure it)'}: ${f.error}`,
    );
  }

  /** For /metrics: how long the longest-failing batch has failed (0: none), and the attempts of all failing batches. */
  gauges(): { failingSeconds: number; attempts: number } {
    const oldest = this.list()[0];
    return {
      failingSeconds: oldest ? (this.now() - oldest.since) / 1000 : 0,
      attempts: this.list().reduce((n, f) => n + f.attempts, 0),
    };
  }
}
