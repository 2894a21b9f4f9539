/**
 * Visitors a batch found to be bots by behaviour (batch/bot-flag.ts) leave the
 * human figures with all of their day's hits, those loaded before the verdict
 * too. Tables stay append-only: the verdicts go into bot_visitors (which the
 * dashboards' reads of events and sessions leave out), the visitors' loaded
 * events are copied into bot_hits, and rows of negative counts take them out
 * of the rollups. Every statement runs under the batch's token, so a batch
 * loaded again moves nothing twice; they run after the batch's events are in,
 * so those are moved too.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { command } from '../../clickhouse/query.ts';
import { chTime } from '../../clickhouse/time.ts';
import type { BatchRows } from './rows.ts';

const DAY_MS = 86_400_000;
const RETRACTIONS = ['bot-hits', 'traffic-minute', 'pages-hour'] as const;

export async function moveBotVisitors(ch: ClickHouse, flagged: BatchRows['botVisitors'], token: string): Promise<void> {
  if (flagged.length === 0) return;
  await insertRows(ch, 'bot_visitors', flagged.map((f) => ({ ...f, batch: token })), token);
  // A visitor id is one UTC day's (the salt's): its hits lie within the days of the verdicts.
  const days = flagged.map((f) => Date.parse(`${f.day}T00:00:00Z`));
  const range = { batch: token, from: chTime(Math.min(...days)), to: chTime(Math.max(...days) + DAY_MS) };
  for (const name of RETRACTIONS) {
    await command(ch, `queries/retract/${name}.sql`, range, {
      insert_deduplicate: 1,
      insert_deduplication_token: `${token}:retract-${name}`,
      deduplicate_blocks_in_dependent_materialized_views: 1,
      max_partitions_per_insert_block: '1000',
    });
  }
}
