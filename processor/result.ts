/**
 * Bad input is a value, not an exception (after PostHog's ingestion results):
 * every step returns the event, a drop with a reason from a closed set, or a
 * dead letter with a reason and detail. The pipeline stops at the first non-ok.
 */
import type { Event } from './event.ts';

/** Hits we decided not to count as human traffic. */
export const DROP_REASONS = ['bot', 'opted_out'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Input we could not use at all. */
export const DEAD_LETTER_REASONS = [
  'invalid_hit', // the bus record is not a Hit we know
  'damaged_record', // the bus record failed its checksum
  'truncated_line', // an access-log line cut off before its last field
  'line_too_long', // a line of a replayed file longer than LOG_LINE_MAX_BYTES
  'unrecognised_line', // not combined, common or nginx JSON
  'invalid_json_line', // nginx JSON log line that does not parse or lacks fields
  'invalid_timestamp', // a time we cannot read
  'invalid_beacon', // beacon payload without a usable url/type
  'load_rejected', // ClickHouse refused the hit's row as data (never retried; load/refusals.ts)
  'row_rejected', // ClickHouse refused a row made of many hits (a session, a bot verdict): not a hit, not a line
  'processing_error', // a step threw: a bug, but one hit must not stop the pipeline
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export type StepResult =
  | { ok: true; event: Event }
  | { ok: false; drop: DropReason; event: Event; detail: string }
  | { ok: false; deadLetter: DeadLetterReason; detail: string };

export const ok = (event: Event): StepResult => ({ ok: true, event });
export const drop = (reason: DropReason, event: Event, detail = ''): StepResult => ({ ok: false, drop: reason, event, detail });
export const deadLetter = (reason: DeadLetterReason, detail: string): StepResult => ({ ok: false, deadLetter: reason, detail });
