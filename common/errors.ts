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

// Node system error codes (errno(3), and undici's for fetch) that time or an operator cures: the
// peer away or slow, a resource of this host exhausted for now.
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'ENOSPC',
  'EIO',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * Whether a retry can help — the one question every retry loop asks (bus/deliver.ts, scalehouse
 * tail, alert webhooks). The error's own `retriable` answers it: a ScalehouseError's, set where
 * it was made (ClickHouse's codes become one in clickhouse/errors.ts), and kafkajs' errors carry
 * one of the same name. Otherwise a Node system error code that time cures (a refused or reset
 * connection, a full disk), or else what caused it. Anything else is a bug or a refusal: no.
 */
export function isRetriable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  const e = err as { retriable?: unknown; code?: unknown; cause?: unknown; name?: unknown };
  if (typeof e.retriable === 'boolean') return e.retriable;
  // What AbortSignal.timeout() aborts with (a DOMException named TimeoutError): the peer was slow this time.
  if (e.name === 'TimeoutError') return true;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  return isRetriable(e.cause, depth + 1);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
