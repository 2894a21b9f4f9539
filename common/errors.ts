/**
 * One error type for the whole project (after kafkajs' errors.js): every error
 * says whether retrying can help, and keeps what caused it.
 */
export class ScalehouseError extends Error {
  readonly retriable: boolean;
  override readonly cause?: unknown;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message);
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.cause = options.cause;
  }
}

/** Bad configuration: lists every bad key at once, so one restart fixes all. */
export class ConfigError extends ScalehouseError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The bus cannot take more right now (disk full, broker down): callers answer 503. */
export class BusUnavailableError extends ScalehouseError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: true, cause });
  }
}

/** The disk holding the bus is (nearly) full: callers answer 507, and intake resumes by itself once space is freed. */
export class InsufficientStorageError extends BusUnavailableError {}

/**
 * A path under DATA_DIR that could make Scalehouse write where it should not:
 * a link in place of a file or folder, someone else's file, a folder others
 * can write to. Never retried, never worked around: the message says what to fix.
 */
export class UnsafePathError extends ScalehouseError {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
