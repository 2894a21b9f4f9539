/**
 * Turns a log line's fields into plain JSON-safe data, and keeps secrets out
 * of it. Callers already log messages rather than Error objects, no request
 * bodies and no client addresses (those become pseudonyms in the collector
 * before anything else sees them); this is defence in depth for the day one
 * of them logs an object it did not look into.
 */

/** Field names that hold credentials, at any depth: `password`, `ingestToken`, `Authorization`, `set-cookie`, `apiKey`… */
const SECRET_KEY = /passw(?:or)?d|secret|token|authori[sz]ation|cookie|api[-_]?key|credential/i;
/** `scheme://user:password@host`: a URL with credentials (CLICKHOUSE_URL could carry them) shows only its host. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi;
const MAX_DEPTH = 8;

export interface Redaction {
  /** Include errors' stacks: only at LOG_LEVEL=debug, where a reader is debugging, not collecting. */
  stacks: boolean;
  /** Values that must never appear in a line (the configured secrets), masked wherever they occur. */
  secrets: readonly string[];
}

export function redactText(text: string, r: Redaction): string {
  let out = text.replace(URL_USERINFO, '$1[redacted]@');
  for (const s of r.secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

/** An Error as its type, message and code (ClickHouse's, Node's ENOENT…), its cause, and its stack at debug. */
function errorFields(err: Error, r: Redaction, depth: number, ancestors: WeakSet<object>): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  return {
    type: err.name,
    message: redactText(err.message, r),
    ...(code !== undefined ? { code } : {}),
    ...(err.cause !== undefined ? { cause: loggable(err.cause, r, depth + 1, ancestors) } : {}),
    ...(r.stacks && err.stack ? { stack: redactText(err.stack, r) } : {}),
  };
}

/** JSON.stringify would throw on a cycle or a BigInt and dump a Buffer byte by byte (raw hits hold IPs): never. */
export function loggable(value: unknown, r: Redaction, depth = 0, ancestors = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value, r);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  ancestors.add(value);
  try {
    if (value instanceof Error) return errorFields(value, r, depth, ancestors);
    if (Array.isArray(value)) return value.map((v) => loggable(v, r, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : loggable(v, r, depth + 1, ancestors);
    return out;
  } finally {
    // Only ancestors make a cycle: the same object twice side by side is logged twice.
    ancestors.delete(value);
  }
}
