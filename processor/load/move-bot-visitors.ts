/**
 * Visitors a batch found to be bots by behaviour (batch/bot-flag.ts) leave the
 * human figures with all of their day's hits, those loaded before the verdict
 * too. Tables stay append-only: the verdicts go into bot_visitors (which the
 * dashboards' reads of events and sessions leave out), and the visitors'
 * loaded events are read once into moved_hits, whose views count them into
 * bots_minute (grouped, not a row each) and bot_hit_samples and write rows of
 * negative counts that take them out of the human rollups
 * (migrations/0016_bot_rollup.sql). Every statement runs under the batch's token, so a batch
 * loaded again moves nothing twice; they run after the batch's events are in,
 * so those are moved too. A visitor another batch already moved is not moved
 * again (queries/retract/move-hits.sql).
 *
 * A batch done again after a crash may find its verdicts already stored (its
 * state restores them, so it decides none anew): it then finishes the moves
 * from the stored verdicts, in case the crash came before they were made.
 * Once the moves are made, the batch's mark goes into moved_batches: a batch
 * done again that finds it moves nothing (migrations/0019_moved_batches.sql
 * says why the token alone is not relied on).
 *
 * A verdict the engine refuses as data is a dead letter (refusals.ts) and
 * moves nothing; the move itself reads only rows already stored, so a data
 * error there is no row's fault and is thrown like any other failure.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertIsolating } from '../../clickhouse/insert-isolating.ts';
import { insertRows, insertSelect } from '../../clickhouse/insert.ts';
import { selectRows } from '../../clickhouse/query.ts';
import { chTime } from '../../clickhouse/time.ts';
import type { BatchRows } from './rows.ts';
import { refusedRows, type Refusals } from './refusals.ts';

const DAY_MS = 86_400_000;

export async function moveBotVisitors(
  ch: ClickHouse,
  flagged: BatchRows['botVisitors'],
  token: string,
  redo: boolean,
  now: number,
): Promise<Refusals> {
  let days: string[];
  let refusals: Refusals = { letters: [], counts: [] };
  if (flagged.length > 0) {
    const verdicts = flagged.map((f) => ({ ...f, batch: token }));
    refusals = refusedRows('bot_visitors', verdicts, await insertIsolating(ch, 'bot_visitors', verdicts, token), now);
    days = flagged.map((f) => f.day);
  } else if (redo) {
    const [stored] = await selectRows<{ first: string; last: string; n: number | string }>(ch, 'queries/retract/stored-verdicts.sql', {
      batch: token,
    });
    if (!stored || Number(stored.n) === 0) return refusals;
    days = [stored.first, stored.last];
  } else {
    return refusals;
  }
  if (redo && (await movedBefore(ch, token))) return refusals;
  // A visitor id is one UTC day's (the salt's): its hits lie within the days of the verdicts.
  const starts = days.map((d) => Date.parse(`${d}T00:00:00Z`));
  const range = { batch: token, from: chTime(Math.min(...starts)), to: chTime(Math.max(...starts) + DAY_MS) };
  await insertSelect(ch, 'queries/retract/move-hits.sql', range, `${token}:move-hits`);
  await insertRows(ch, 'moved_batches', [{ batch: token, ts: chTime(now) }], token);
  return refusals;
}

async function movedBefore(ch: ClickHouse, token: string): Promise<boolean> {
  const [row] = await selectRows<{ n: number | string }>(ch, 'queries/retract/moved-batch.sql', { batch: token });
  return Number(row?.n ?? 0) > 0;
}
