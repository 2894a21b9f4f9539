/**
 * Parsing in the engine (issue 27, "Parsing in SQL"): a batch of bus records
 * staged by one insert of their raw bytes (stage-payload.ts) and parsed there
 * (clickhouse/queries/stage/parse-records.sql), every record's outcome and
 * every Event field parse fills coming back as one row. Not yet the
 * processor's path — processor/batch/run-records.ts still parses in
 * JavaScript; tests/integration/stage-parse.test.ts holds the two equal until
 * a later step wires this in.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { selectStaged } from '../../clickhouse/staged-batch.ts';
import type { DeadLetterReason } from '../result.ts';
import { buildStagePayload } from './stage-payload.ts';

/** One record as the engine parsed it: snake_case after the Event fields, plus its place on the bus. */
export interface StagedParse {
  seq: number;
  position: string;
  offset: number;
  outcome: 'event' | 'dead_letter';
  reason: DeadLetterReason | '';
  detail: string;
  site: string;
  ts: number;
  source: 'log' | 'beacon';
  event_type: 'request' | 'pageview' | 'event' | 'engagement';
  event_name: string;
  is_pageview: boolean;
  client: string;
  user_agent: string;
  host: string;
  method: string;
  path: string;
  query: string;
  status: number;
  bytes: number;
  request_time_ms: number;
  upstream_time_ms: number;
  timed: boolean;
  referrer: string;
  language: string;
  screen_width: number;
  engaged_ms: number;
  prop_keys: string[];
  prop_values: string[];
}

/** `now` stands for Date.now() in the parsers' "not in the future" check. */
export async function parseStagedRecords(ch: ClickHouse, records: readonly BusRecord[], now = Date.now()): Promise<StagedParse[]> {
  if (records.length === 0) return [];
  const rows = await selectStaged<StagedParse>(ch, buildStagePayload(records), 'queries/stage/parse-records.sql', { now });
  // UInt64 comes back as text in JSON (output_format_json_quote_64bit_integers); offsets and sizes fit a double.
  for (const r of rows) {
    r.offset = Number(r.offset);
    r.bytes = Number(r.bytes);
  }
  return rows;
}
