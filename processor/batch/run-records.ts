/**
 * Every record of a batch through the per-hit pipeline, in bus order: decode
 * the Hit, run the steps, and say what became of it — an event, a drop (bot,
 * opt-out) or a dead letter, each with its reason. Pure. Ingestion
 * (process-batch.ts) makes rows of the outcomes; `scalehouse explain` prints
 * them.
 */
import { decodeHit, type Hit } from '../../common/hit.ts';
import type { BusRecord } from '../../bus/bus.ts';
import type { Event } from '../event.ts';
import { runPipeline, type PipelineContext } from '../pipeline.ts';
import type { DeadLetterReason, DropReason } from '../result.ts';

export type RecordOutcome = { record: BusRecord } & (
  | { kind: 'event'; event: Event }
  | { kind: 'dropped'; reason: DropReason; event: Event; detail: string }
  | { kind: 'dead_letter'; reason: DeadLetterReason; detail: string; hit?: Hit }
);

export interface RunContext extends PipelineContext {
  /** Told the host of every event that has one, in bus order, so later hits see it as the site's own. */
  learnHost?: (site: string, host: string) => void;
}

export function runRecord(record: BusRecord, ctx: RunContext): RecordOutcome {
  const hit = record.damaged ? { invalid: record.damaged } : (record.hit ?? decodeHit(record.value));
  if ('invalid' in hit)
    return { record, kind: 'dead_letter', reason: record.damaged ? 'damaged_record' : 'invalid_hit', detail: hit.invalid };
  // Refused as `POST /api/logs` refuses it (413 line_too_long), but one line of a file, not the whole file.
  if (record.cut) return { record, kind: 'dead_letter', reason: 'line_too_long', detail: record.cut, hit };
  const result = runPipeline(hit, ctx);
  if (result.ok) {
    result.event.busOffset = record.offset;
    if (result.event.host) ctx.learnHost?.(result.event.site, result.event.host);
    return { record, kind: 'event', event: result.event };
  }
  if ('drop' in result) return { record, kind: 'dropped', reason: result.drop, event: result.event, detail: result.detail };
  return { record, kind: 'dead_letter', reason: result.deadLetter, detail: result.detail, hit };
}

export const runRecords = (records: BusRecord[], ctx: RunContext): RecordOutcome[] => records.map((r) => runRecord(r, ctx));

/** Records per turn of the event loop in `runRecordsYielding`: ~10 ms of work at most. */
const SLICE = 200;

/**
 * `runRecords`, letting the event loop turn every SLICE records: where the
 * handler shares its thread with others (an in-process consumer next to a
 * collector, the bus messages of the processor thread), a batch of thousands
 * run in one go would hold them all waiting meanwhile.
 */
export async function runRecordsYielding(records: BusRecord[], ctx: RunContext): Promise<RecordOutcome[]> {
  const out: RecordOutcome[] = [];
  for (let i = 0; i < records.length; i += SLICE) {
    if (i > 0) await new Promise((r) => setImmediate(r));
    for (const r of records.slice(i, i + SLICE)) out.push(runRecord(r, ctx));
  }
  return out;
}
