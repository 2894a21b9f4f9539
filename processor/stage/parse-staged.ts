/**
 * Parsing in the engine (issue 27, "Parsing in SQL"), a fast path and a
 * fallback: a batch of bus records is staged by one insert of their raw
 * bytes (stage-payload.ts, clickhouse/stage-session.ts), and the engine parses
 * the records whose parse is plainly the same as the JavaScript's — log lines
 * in plain text, combined/common or nginx JSON
 * (clickhouse/queries/stage/_parse-any.sql says exactly which), and
 * answers those only. Every other record — beacons, escapes, text beyond
 * ASCII, odd numbers or times, the visitor's address elsewhere in the line,
 * whatever would be a dead letter — falls back: parseHit, the reference,
 * unchanged, parses it here. Real logs are overwhelmingly plain, so the per-line
 * JavaScript is left for the odd lines only.
 *
 * Not yet the processor's path: processor/batch/run-records.ts still parses
 * every record in JavaScript; tests/integration/stage-parse.test.ts holds the
 * two equal until a later step wires this in.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { openStage, type Stage } from '../../clickhouse/stage-session.ts';
import { decodeHit, type Hit } from '../../common/hit.ts';
import { deadLetter, ok, type StepResult } from '../result.ts';
import { parseHit } from '../steps/parse.ts';
import { buildStagePayload } from './stage-payload.ts';
import { eventOfStagedRow, type StagedRow } from './staged-event.ts';

export interface StagedParse {
  /** Parsed in the engine (true), or by parseHit. */
  fast: boolean;
  /** parseHit's result, or the dead letter the record is before it is parsed (damaged, not a Hit, cut). */
  result: StepResult;
  /** The Hit, for records parsed here (a dead letter keeps it); fast ones are never decoded in JavaScript. */
  hit?: Hit;
}

/** A record as processor/batch/run-records.ts's runRecord takes it up to the pipeline, then parseHit. */
function parseInJavaScript(record: BusRecord): StagedParse {
  const hit = record.damaged ? { invalid: record.damaged } : (record.hit ?? decodeHit(record.value));
  if ('invalid' in hit) return { fast: false, result: deadLetter(record.damaged ? 'damaged_record' : 'invalid_hit', hit.invalid) };
  if (record.cut) return { fast: false, result: deadLetter('line_too_long', record.cut), hit };
  return { fast: false, result: parseHit(hit), hit };
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

/** Every record the engine does not parse, parsed here: damaged, not a Hit, cut, or parseHit's. */
export const parseFallback = parseInJavaScript;

/**
 * Every record's parse, in batch order. `now` stands for Date.now() in the
 * parsers' "not in the future" check; taken before parseHit runs, a time the
 * engine finds plausible parseHit does too.
 */
export async function parseStaged(ch: ClickHouse, records: readonly BusRecord[], now = Date.now()): Promise<StagedParse[]> {
  if (records.length === 0) return [];
  const stage = openStage(ch);
  let rows: StagedRow[];
  try {
    const table = await stageRecords(stage, records);
    rows = await stage.rows<StagedRow>(parseQuery(records, 'records'), { stage: table, now });
  } finally {
    await stage.close();
  }
  const fast = new Map(rows.map((row) => [row.seq, row]));
  return records.map((record, seq) => {
    const row = fast.get(seq);
    return row ? { fast: true, result: ok(eventOfStagedRow(row)) } : parseInJavaScript(record);
  });
}
