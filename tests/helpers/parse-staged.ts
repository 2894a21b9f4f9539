/**
 * The engine's parse read back (clickhouse/queries/stage/parse-records.sql, the
 * same stages as the processor's parse-into.sql), for the differential test of
 * parsing and its micro-benchmark: every record of a batch, parsed by the
 * engine's fast path where it takes it, by the processor's fallback otherwise.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { openStage } from '../../clickhouse/stage-session.ts';
import { ok } from '../../processor/result.ts';
import { parseFallback, parseQuery, stageRecords, type FallbackParse } from '../../processor/stage/parse-staged.ts';
import { eventOfStagedRow, type StagedRow } from './staged-parse-row.ts';

export interface StagedParse extends FallbackParse {
  /** Parsed in the engine (true), or by parseHit. */
  fast: boolean;
}

/** Every record's parse, in batch order; `now` stands for Date.now() in the parsers' "not in the future" check. */
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
    return row ? { fast: true, result: ok(eventOfStagedRow(row)) } : { fast: false, ...parseFallback(record) };
  });
}
