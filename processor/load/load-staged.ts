/**
 * The hits of a staged batch (processor/stage/stage-batch.ts) loaded from the
 * engine's own tables: what sessions made of the people's hits goes in as one
 * small table of the batch (assigned-create.sql), then `events`, `bots_minute`
 * and `bot_hit_samples` are each one INSERT … SELECT under the batch's token
 * (the same token the row-by-row loader gives the same table, so a batch done
 * again either way loads nothing twice). No row of them passes through
 * JavaScript — unless the engine refuses one of these inserts as data: then
 * that table's rows are read back and loaded row-isolating, as every other
 * table is (clickhouse/insert-isolating.ts), and the rows refused become dead
 * letters (refusals.ts).
 */
import type { BusRecord } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { isDataError } from '../../clickhouse/errors.ts';
import { insertIsolating } from '../../clickhouse/insert-isolating.ts';
import type { Stage } from '../../clickhouse/stage-session.ts';
import type { Event } from '../event.ts';
import { refusedHits, refusedRows, type Refusals } from './refusals.ts';

/** What sessions changed of a person's hit, for `events` and the bot counts (assigned-create.sql). */
export const assignedRow = (position: string, ev: Event) => ({
  position,
  session_id: ev.sessionId,
  is_pageview: ev.isPageview ? 1 : 0,
  twin: ev.twin ? 1 : 0,
  path: ev.path,
  channel: ev.channel,
  bot_reason: ev.botReason,
  bot_name: ev.botName,
});

export interface StagedTables {
  enriched: string;
}

/** How many rows each INSERT … SELECT has to write from: the batch's events, and its bot hits (_bot-hits.sql). */
export interface StagedHitCounts {
  events: number;
  botHits: number;
}

/**
 * The rows _events-select.sql and _bot-hits.sql select, counted from what JavaScript already holds: people's
 * hits that stay people's, and bot hits — by user agent (the engine's outcome counts) or by behaviour. Pure.
 */
export function stagedHitCounts(
  counts: readonly { outcome: string; reason: string; n: number }[],
  assigned: readonly { bot_reason: string }[],
) {
  const byBehaviour = assigned.filter((a) => a.bot_reason !== '').length;
  const byAgent = counts.filter((c) => c.outcome === 'dropped' && c.reason === 'bot').reduce((n, c) => n + c.n, 0);
  return { events: assigned.length - byBehaviour, botHits: byAgent + byBehaviour };
}

export async function loadStagedHits(
  ch: ClickHouse,
  stage: Stage,
  tables: StagedTables,
  assigned: ReturnType<typeof assignedRow>[],
  hits: StagedHitCounts,
  records: Map<string, BusRecord>,
  token: string,
  now: number,
): Promise<Refusals[]> {
  if (hits.events === 0 && hits.botHits === 0) return [];
  const assignedTable = stage.table('assigned');
  await stage.create('queries/stage/assigned-create.sql', assignedTable);
  await stage.insertBytes(assignedTable, Buffer.from(assigned.map((a) => JSON.stringify(a)).join('\n'), 'utf8'), 'JSONEachRow');
  const params = { enriched: tables.enriched, assigned: assignedTable };

  /** One INSERT … SELECT; on a data error, the same rows read back and loaded row-isolating. */
  const load = async <R extends { first?: unknown; position?: unknown; positions?: unknown }>(
    table: 'events' | 'bots_minute' | 'bot_hit_samples',
    insertSql: string,
    rowsSql: string,
    refusalsOf: (rows: object[], origins: R[], refused: Awaited<ReturnType<typeof insertIsolating>>) => Refusals,
    rowsFrom: number,
  ): Promise<Refusals> => {
    // An INSERT … SELECT of nothing would still cost the engine its analysis (~6–9 ms, whatever the rows).
    if (rowsFrom === 0) return { letters: [], counts: [] };
    try {
      await stage.insertSelect(insertSql, params, `${token}:${table}`);
      return { letters: [], counts: [] };
    } catch (err) {
      if (!isDataError(err)) throw err;
    }
    const read = await stage.rows<R>(rowsSql, params);
    const rows = read.map(({ first: _f, position: _p, positions: _ps, ...row }) => row);
    return refusalsOf(rows, read, await insertIsolating(ch, table, rows, token));
  };

  return [
    await load<{ position: string }>(
      'events',
      'queries/stage/load-events.sql',
      'queries/stage/events-rows.sql',
      (rows, read, refused) =>
        refusedHits(
          'events',
          rows as { site: string }[],
          read.map((r) => r.position),
          refused,
          records,
          now,
        ),
      hits.events,
    ),
    await load<{ positions: string[] }>(
      'bots_minute',
      'queries/stage/load-bot-minutes.sql',
      'queries/stage/bot-minutes-rows.sql',
      (rows, read, refused) =>
        refusedHits(
          'bots_minute',
          rows as { site: string }[],
          read.map((r) => r.positions),
          refused,
          records,
          now,
        ),
      hits.botHits,
    ),
    // A sample is no line (its lines are counted in bots_minute): one the engine refuses is a row_rejected letter.
    await load(
      'bot_hit_samples',
      'queries/stage/load-bot-samples.sql',
      'queries/stage/bot-samples-rows.sql',
      (rows, _read, refused) => refusedRows('bot_hit_samples', rows, refused, now),
      hits.botHits,
    ),
  ];
}
