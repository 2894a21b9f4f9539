/**
 * The loader: one batch's rows into ClickHouse, every table under a token
 * derived from the batch's bus position (clickhouse/insert.ts), so loading the
 * same batch again changes nothing. A row the engine refuses as data cannot be
 * cured by retrying, and must not hold up the rows beside it or the batches
 * behind it: each table's rows go in through insertIsolating, which loads all
 * that the engine takes and names the rows it refused, the same ones each
 * time the batch is done again. Those become dead letters with the engine's
 * message (refusals.ts), and the batch's counts follow them. Anything else
 * — ClickHouse away, a table missing, a full disk — is thrown, and the bus
 * delivers the batch again.
 *
 * The tables load in an order that lets the later ones learn of the earlier
 * ones' refusals: hits first, then what is made of them, then the dead
 * letters and the counts.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertIsolating } from '../../clickhouse/insert-isolating.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import type { BusRecord } from '../../bus/bus.ts';
import { log } from '../../common/log.ts';
import { deadLetterRow, type BatchRows, type DeadLetterRow, type StatRow } from './rows.ts';
import { moveBotVisitors } from './move-bot-visitors.ts';
import { refusedHits, refusedRows, withCounts, type Refusals } from './refusals.ts';

/** What the load stored: the dead letters (the batch's own and its rows the engine refused) and the outcome counts. */
export interface LoadResult {
  deadLetters: DeadLetterRow[];
  stats: StatRow[];
  refused: number;
}

/**
 * Loads the hits — `events`, `bots_minute`, `bot_hit_samples` — and says what the engine refused of them. By
 * default from the batch's rows; a batch staged in the engine loads them from its tables (load-staged.ts).
 */
export type HitLoader = (records: Map<string, BusRecord>) => Promise<Refusals[]>;

/** `redo`: the batch may have been loaded (in part) before: the processor restored its state to do it. */
export async function loadBatch(
  ch: ClickHouse,
  rows: BatchRows,
  records: BusRecord[],
  token: string,
  now: number,
  redo = false,
  loadHits: HitLoader = (byPosition) => loadHitRows(ch, rows, byPosition, token, now),
): Promise<LoadResult> {
  const byPosition = new Map(records.map((r) => [r.position, r]));
  const refusals: Refusals[] = await loadHits(byPosition);
  refusals.push(await moveBotVisitors(ch, rows.botVisitors, token, redo, now));
  refusals.push(refusedRows('sessions', rows.sessions, await insertIsolating(ch, 'sessions', rows.sessions, token), now));

  const letters = refusals.flatMap((r) => r.letters);
  if (letters.length > 0) {
    log.warn('ClickHouse refused rows of a batch as data; they are dead letters, the rest is loaded', {
      batch: token,
      refused: letters.length,
      first: letters[0]!.detail,
    });
  }
  const deadLetters = [...rows.deadLetters, ...letters];
  await insertDeadLetters(ch, deadLetters, token, now);
  const stats = withCounts(
    rows.stats,
    refusals.flatMap((r) => r.counts),
  );
  await insertCounts(ch, stats, token);
  return { deadLetters, stats, refused: letters.length };
}

async function loadHitRows(
  ch: ClickHouse,
  rows: BatchRows,
  byPosition: Map<string, BusRecord>,
  token: string,
  now: number,
): Promise<Refusals[]> {
  return [
    refusedHits('events', rows.events, rows.origins.events, await insertIsolating(ch, 'events', rows.events, token), byPosition, now),
    refusedHits(
      'bots_minute',
      rows.botMinutes,
      rows.origins.botMinutes,
      await insertIsolating(ch, 'bots_minute', rows.botMinutes, token),
      byPosition,
      now,
    ),
    // A sample is no line (its lines are counted in bots_minute): one the engine refuses is a row_rejected letter.
    refusedRows('bot_hit_samples', rows.botSamples, await insertIsolating(ch, 'bot_hit_samples', rows.botSamples, token), now),
  ];
}

/**
 * Dead letters are made well-formed (rows.ts), so the engine has taken every one so far; should it
 * refuse one all the same, a letter that only says so takes its place, rather than one row
 * holding up the stream.
 */
async function insertDeadLetters(ch: ClickHouse, letters: DeadLetterRow[], token: string, now: number): Promise<void> {
  const refused = await insertIsolating(ch, 'dead_letters', letters, token);
  if (refused.length === 0) return;
  const stand = refused.map((r) =>
    deadLetterRow('', 'dead_letters', 'row_rejected', `dead_letters: ${r.error}`, '', letters[r.index]!.position, now),
  );
  await insertRows(ch, 'dead_letters', stand, `${token}:refused-letters`);
}

/** A count the engine refuses (a site name it cannot store) is kept under no site: lines are never lost from the counts. */
async function insertCounts(ch: ClickHouse, counts: StatRow[], token: string): Promise<void> {
  const refused = await insertIsolating(ch, 'pipeline_stats', counts, token);
  if (refused.length === 0) return;
  await insertRows(
    ch,
    'pipeline_stats',
    refused.map((r) => ({ ...counts[r.index]!, site: '' })),
    `${token}:refused-counts`,
  );
}
