/**
 * A batch of bus records through the per-hit steps in the engine (issue 27):
 * staged by one insert of their raw bytes, parsed there (the fast path,
 * parse-staged.ts; parseHit for the rest), enriched there (enrich-batch.ts),
 * the outcome of every record left in the batch's enriched table. What comes
 * back to JavaScript is only what needs memory across lines: the people's
 * hits, for sessions (human-hits.ts), and the few records that are dead
 * letters. Bots, events and counts are written from the tables by the loader
 * (processor/load/load-staged.ts); the tables go with the stage.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import type { Stage } from '../../clickhouse/stage-session.ts';
import type { Hit } from '../../common/hit.ts';
import type { Event } from '../event.ts';
import type { DeadLetterReason } from '../result.ts';
import { enrichInto, type EnrichContext } from './enrich-batch.ts';
import { humanHitsOf } from './human-hits.ts';
import { parseFallback, parseQuery, stageRecords } from './parse-staged.ts';
import { parsedRowOf } from './parsed-row.ts';

export interface StagedLetter {
  record: BusRecord;
  reason: DeadLetterReason;
  detail: string;
  hit?: Hit;
  /** Made in enrichment, so counted with the engine's `counts`; the parse's are counted by whoever keeps them. */
  counted: boolean;
}

export interface StagedBatch {
  /** The batch's tables: its records, and every record's outcome with its enriched event (enrich.sql's columns). */
  tables: { records: string; enriched: string };
  /** The people's hits (outcome `event`), in bus order, with what sessions read of them. */
  humans: Event[];
  /** Their bus positions, hit for hit. */
  positions: string[];
  /** Records that are dead letters before or in enrichment. */
  letters: StagedLetter[];
  /** The engine's count of the enriched outcomes per site (dead letters of the parse are in `letters` only). */
  counts: { site: string; outcome: string; reason: string; n: number }[];
}

/** A row of enriched-outcomes.sql: a count, and the dead letters it counts as [offset, position, detail]. */
interface EnrichedOutcome {
  site: string;
  outcome: string;
  reason: string;
  n: number;
  letters: [number, string, string][];
}

export interface StageContext extends EnrichContext {
  /** Stands for Date.now() in the parsers' "not in the future" check. */
  now: number;
}

export async function stageBatch(ch: ClickHouse, stage: Stage, records: readonly BusRecord[], ctx: StageContext): Promise<StagedBatch> {
  const recordsTable = await stageRecords(stage, records);
  const parsed = stage.table('parsed');
  await stage.create('queries/stage/parsed-create.sql', parsed);
  await stage.run(parseQuery(records, 'into'), { stage: recordsTable, parsed, now: ctx.now });

  // The records the engine left: parsed by the reference parser, into the same table, or dead letters.
  const letters: StagedLetter[] = [];
  const rows: string[] = [];
  for (const [seq] of await stage.tuples('queries/stage/fallback-records.sql', { stage: recordsTable, parsed })) {
    const record = records[Number(seq)]!;
    const { result, hit } = parseFallback(record);
    if (result.ok) rows.push(JSON.stringify(parsedRowOf(record, result.event, hit!)));
    else if ('deadLetter' in result) letters.push({ record, reason: result.deadLetter, detail: result.detail, hit, counted: false });
  }
  await stage.insertBytes(parsed, Buffer.from(rows.join('\n'), 'utf8'), 'JSONEachRow');

  const enriched = stage.table('enriched');
  await enrichInto(ch, stage, parsed, enriched, ctx);
  const byPosition = new Map(records.map((r) => [r.position, r]));
  const outcomes = await stage.rows<EnrichedOutcome>('queries/stage/enriched-outcomes.sql', { enriched });
  const enrichLetters = outcomes
    .flatMap((o) => o.letters.map(([offset, position, detail]) => ({ offset, position, reason: o.reason as DeadLetterReason, detail })))
    .sort((a, b) => a.offset - b.offset);
  for (const { position, reason, detail } of enrichLetters) {
    const record = byPosition.get(position)!;
    const { hit } = parseFallback(record);
    letters.push({ record, reason, detail, hit, counted: true });
  }
  const { humans, positions } = humanHitsOf(await stage.tuples('queries/stage/human-hits.sql', { enriched }));
  const counts = outcomes.map(({ site, outcome, reason, n }) => ({ site, outcome, reason, n: Number(n) }));
  return { tables: { records: recordsTable, enriched }, humans, positions, letters, counts };
}
