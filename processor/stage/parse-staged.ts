/**
 * Parsing in the engine (issue 27), a fast path and a fallback: a batch of bus
 * records is staged by one insert of their raw bytes (stage-payload.ts,
 * clickhouse/stage-session.ts), and the engine parses the records whose parse
 * is plainly the same as the JavaScript's — log lines in plain text,
 * combined/common or nginx JSON (clickhouse/queries/stage/_parse-any.sql says
 * exactly which). Every other record — beacons, escapes, text beyond ASCII,
 * odd numbers or times, the visitor's address elsewhere in the line, whatever
 * would be a dead letter — falls back: parseHit, the reference, unchanged,
 * parses it (stage-batch.ts). Real logs are overwhelmingly plain, so the
 * per-line JavaScript is left for the odd lines only.
 * tests/integration/stage-parse.test.ts holds the two equal.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { Stage } from '../../clickhouse/stage-session.ts';
import { decodeHit, type Hit } from '../../common/hit.ts';
import { deadLetter, type StepResult } from '../result.ts';
import { parseHit } from '../steps/parse.ts';
import { buildStagePayload } from './stage-payload.ts';

/** Parsed in JavaScript: parseHit's result, or the dead letter the record is before it is parsed (damaged, not a Hit, cut). */
export interface FallbackParse {
  result: StepResult;
  /** The Hit, where the record is one (a dead letter keeps it). */
  hit?: Hit;
}

/** Every record the engine does not parse, parsed here as processor/batch/run-records.ts's runRecord takes it, then parseHit. */
export function parseFallback(record: BusRecord): FallbackParse {
  const hit = record.damaged ? { invalid: record.damaged } : (record.hit ?? decodeHit(record.value));
  if ('invalid' in hit) return { result: deadLetter(record.damaged ? 'damaged_record' : 'invalid_hit', hit.invalid) };
  if (record.cut) return { result: deadLetter('line_too_long', record.cut), hit };
  try {
    return { result: parseHit(hit), hit };
  } catch (err) {
    // As processor/pipeline.ts runPipeline has it: a step that throws makes this hit a dead letter, not the batch fail.
    return { result: deadLetter('processing_error', `step parse failed: ${(err as Error)?.message ?? String(err)}`), hit };
  }
}

/**
 * Whether the record may hold an nginx JSON line, for the choice of query: a wrong yes costs the engine time, a
 * wrong no a JSON line parsed by parseHit; neither changes an outcome. encodeHit writes `line` last.
 */
const mayBeJsonLine = (r: BusRecord): boolean =>
  r.hit ? r.hit.kind === 'log' && r.hit.line.startsWith('{') : r.value.includes('"line":"{');

/** Stages the batch's records in a table of `stage` (records-create.sql) and returns its name. */
export async function stageRecords(stage: Stage, records: readonly BusRecord[]): Promise<string> {
  const table = stage.table('records');
  await stage.create('queries/stage/records-create.sql', table);
  await stage.insertBytes(table, buildStagePayload(records), 'TSV');
  return table;
}

/** The parse query for these records: a batch without a JSON line takes the combined branch only (cheaper to plan). */
export const parseQuery = (records: readonly BusRecord[], kind: 'records' | 'into'): string =>
  `queries/stage/parse-${records.some(mayBeJsonLine) ? '' : 'combined-'}${kind}.sql`;
