/**
 * What becomes of rows the engine refused (clickhouse/insert-isolating.ts),
 * so that every hit is still accounted for exactly once. Pure.
 *  - A row of `events` is one hit, a row of `bots_minute` the hits it counts
 *    (processor/load/bot-rows.ts): each hit's bus record becomes a dead
 *    letter (`load_rejected`) with the engine's message as the detail, and
 *    the batch's counts move each from its outcome to the dead letters.
 *  - A row made of many hits (a session, a bot verdict, a bot hit sample) is not a hit: it is
 *    kept as a dead letter of its table (`row_rejected`, the row as JSON),
 *    counted apart from the hits' outcomes; its hits stay counted where they are.
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { RefusedRow } from '../../clickhouse/insert-isolating.ts';
import { chMinute } from '../../clickhouse/time.ts';
import { decodeHit } from '../../common/hit.ts';
import { deadLetterRow, rawOfHit, type DeadLetterRow, type StatRow } from './rows.ts';

export interface Refusals {
  letters: DeadLetterRow[];
  counts: StatRow[];
}

/** What a hit row counted as before it was refused. */
const OUTCOME_OF = { events: { outcome: 'event', reason: '' }, bots_minute: { outcome: 'dropped', reason: 'bot' } } as const;

export function refusedHits(
  table: keyof typeof OUTCOME_OF,
  rows: { site: string }[],
  /** Row for row, the position of its hit (`events`) or of each hit it counts (`bots_minute`). */
  positions: readonly (string | readonly string[])[],
  refused: RefusedRow[],
  records: Map<string, BusRecord>,
  now: number,
): Refusals {
  const minute = chMinute(now);
  const out: Refusals = { letters: [], counts: [] };
  for (const { index, error } of refused) {
    const at = positions[index] ?? '';
    const site = rows[index]?.site ?? '';
    for (const position of typeof at === 'string' ? [at] : at) {
      const record = records.get(position);
      const hit = record ? (record.hit ?? decodeHit(record.value)) : undefined;
      const known = hit && !('invalid' in hit) ? hit : undefined;
      out.letters.push(
        deadLetterRow(
          site,
          known?.kind ?? 'bus',
          'load_rejected',
          `${table}: ${error}`,
          known ? rawOfHit(known) : (record?.value ?? ''),
          position,
          now,
        ),
      );
      out.counts.push(
        { minute, site, ...OUTCOME_OF[table], count: -1 },
        { minute, site, outcome: 'dead_letter', reason: 'load_rejected', count: 1 },
      );
    }
  }
  return out;
}

export function refusedRows(table: string, rows: object[], refused: RefusedRow[], now: number): Refusals {
  const minute = chMinute(now);
  const out: Refusals = { letters: [], counts: [] };
  for (const { index, error } of refused) {
    const row = rows[index] as { site?: unknown };
    const site = typeof row.site === 'string' ? row.site : '';
    out.letters.push(deadLetterRow(site, table, 'row_rejected', `${table}: ${error}`, JSON.stringify(row), '', now));
    out.counts.push({ minute, site, outcome: 'dead_letter', reason: 'row_rejected', count: 1 });
  }
  return out;
}

/** Whether a count is of lines (hits): a row_rejected dead letter is a session or verdict the engine refused, not a line. */
export const countsLines = (s: Pick<StatRow, 'outcome' | 'reason'>): boolean =>
  !(s.outcome === 'dead_letter' && s.reason === 'row_rejected');

/** The batch's outcome counts with the refusals' moves applied: one row per key, none left at zero. */
export function withCounts(stats: StatRow[], moves: StatRow[]): StatRow[] {
  const byKey = new Map<string, StatRow>();
  for (const s of [...stats, ...moves]) {
    const key = `${s.minute}\t${s.site}\t${s.outcome}\t${s.reason}`;
    const held = byKey.get(key);
    if (held) held.count += s.count;
    else byKey.set(key, { ...s });
  }
  return [...byKey.values()].filter((s) => s.count !== 0);
}
