/**
 * Times as ClickHouse reads them: "YYYY-MM-DD hh:mm:ss.sss" in UTC, which
 * DateTime64(3, 'UTC') columns and DateTime64(3) parameters take without
 * ambiguity, whatever the server's time zone.
 */
export const chTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

/** The start of the minute holding `ms`, as a DateTime (pipeline_stats counts per minute). */
export const chMinute = (ms: number): string => chTime(Math.floor(ms / 60_000) * 60_000).slice(0, 19);
