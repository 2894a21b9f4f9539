/**
 * Points in time as every answer of the HTTP API gives them: ISO 8601 in UTC
 * with milliseconds (`2026-12-07T10:00:00.000Z`, Date#toISOString), as the
 * `from` and `to` of a query — never epoch milliseconds beside them. ClickHouse
 * answers 64-bit integers quoted, hence strings too.
 */
export function isoTime(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}

/** The same, or null for "never" (ClickHouse's maxIf over no rows is the epoch, 0). */
export function isoTimeOrNull(ms: number | string | null | undefined): string | null {
  return ms === null || ms === undefined || Number(ms) === 0 ? null : isoTime(ms);
}
