/**
 * Which ClickHouse failures are worth retrying. As Vector's ClickHouse sink
 * does, data errors (the server understood the insert and refused its rows)
 * are never retried — they would fail forever and block the pipeline — while
 * network trouble, overload, missing tables and full disks are: those are
 * cured by time or by an operator, and the batch must wait for them.
 * `asClickHouseError` says so in the project's words (`retriable`, common/errors.ts)
 * for every failure that leaves this folder (query.ts, insert.ts).
 */
import { ScalehouseError } from '../common/errors.ts';

// Error codes from ClickHouse's src/Common/ErrorCodes.cpp that mean "this data is bad":
// the format parser or a type refused a value of a row. Anything else is about the
// server, the schema or the query, and no row is to blame.
const DATA_ERROR_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  19, // SIZE_OF_FIXED_STRING_DOESNT_MATCH
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE (a lone surrogate in a JSON string: \ud800)
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  128, // TOO_LARGE_ARRAY_SIZE
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DOESNT_MATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  376, // CANNOT_PARSE_UUID
  407, // DECIMAL_OVERFLOW
  441, // CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING
  467, // CANNOT_PARSE_BOOL
  676, // CANNOT_PARSE_IPV4
  677, // CANNOT_PARSE_IPV6
]);

// TOO_MANY_PARTS (252) means two things: merges falling behind inserts (back-pressure, retry)
// or one insert block spanning more partitions than max_partitions_per_insert_block (the rows'
// dates; a smaller part of the batch loads). Only the message tells them apart.
const TOO_MANY_PARTS = 252;
const TOO_MANY_PARTITIONS = /partitions for (a )?single insert block/i;

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

/**
 * The insert was refused for what some of its rows hold: retrying the same rows cannot
 * help, loading them in smaller parts finds the ones to blame (clickhouse/insert-isolating.ts).
 */
export function isDataError(err: unknown): boolean {
  const code = clickhouseCode(err);
  if (code === undefined) return false;
  if (code === TOO_MANY_PARTS) return TOO_MANY_PARTITIONS.test(err instanceof Error ? err.message : String(err));
  return DATA_ERROR_CODES.has(code);
}

/** A failure of ClickHouse (or of reaching it), with the server's code when it gave one. */
export class ClickHouseError extends ScalehouseError {
  constructor(
    message: string,
    readonly code: number | undefined,
    options: { retriable: boolean; cause: unknown },
  ) {
    super(message, options);
  }
}

// Codes that say the query or the credentials are wrong: the same statement with the same user
// fails the same way until someone changes the code or the configuration, so retrying alone
// cannot cure it (a missing table can: `scalehouse migrate` may not have run yet).
const NEVER_RETRIABLE_CODES = new Set([
  46, // UNKNOWN_FUNCTION
  47, // UNKNOWN_IDENTIFIER
  62, // SYNTAX_ERROR
  115, // UNKNOWN_SETTING
  164, // READONLY
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  194, // REQUIRED_PASSWORD
  456, // UNKNOWN_QUERY_PARAMETER
  457, // BAD_QUERY_PARAMETER
  497, // ACCESS_DENIED
  516, // AUTHENTICATION_FAILED
]);

/**
 * The same failure as a ClickHouseError: not retriable when the rows are to blame (isDataError)
 * or the statement or credentials are (NEVER_RETRIABLE_CODES), retriable otherwise — the server
 * away or overloaded, a table missing, a disk full, a query past its limits — whatever the driver
 * threw. The message stays the engine's own.
 */
export function asClickHouseError(err: unknown): ClickHouseError {
  if (err instanceof ClickHouseError) return err;
  return new ClickHouseError(err instanceof Error ? err.message : String(err), clickhouseCode(err), {
    retriable: !isDataError(err) && !NEVER_RETRIABLE_CODES.has(clickhouseCode(err) ?? -1),
    cause: err,
  });
}
