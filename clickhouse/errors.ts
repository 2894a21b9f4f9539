/**
 * Which ClickHouse failures are worth retrying. As Vector's ClickHouse sink
 * does, data errors (the server understood the insert and refused its rows)
 * are never retried — they would fail forever and block the pipeline — while
 * network trouble and overload are.
 */

// Error codes from ClickHouse's src/Common/ErrorCodes.cpp that mean "this data is bad".
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
]);

/** The server's error code: `code` on the client's ClickHouseError, `clickhouseCode` on chdb's own errors. */
export function clickhouseCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; clickhouseCode?: unknown; cause?: unknown };
  // Matched by shape, not instanceof: the embedded engine throws errors built by its own copy of the client.
  for (const c of [e.code, e.clickhouseCode]) if (c !== undefined && /^\d+$/.test(String(c))) return Number(c);
  return e.cause ? clickhouseCode(e.cause) : undefined;
}

// Codes that mean "this read went past a limit it was given" (time, memory, result size).
const LIMIT_CODES = new Set([
  158, // TOO_MANY_ROWS
  159, // TIMEOUT_EXCEEDED
  241, // MEMORY_LIMIT_EXCEEDED
  396, // TOO_MANY_ROWS_OR_BYTES
]);

export const isLimitError = (err: unknown): boolean => LIMIT_CODES.has(clickhouseCode(err) ?? -1);

export function isDataError(err: unknown): boolean {
  const code = clickhouseCode(err);
  return code !== undefined && DATA_ERROR_CODES.has(code);
}
