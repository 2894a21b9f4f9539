/**
 * The loader: one batch's rows into ClickHouse, every table under a token
 * derived from the batch's bus position (clickhouse/insert.ts), so loading the
 * same batch again changes nothing. If ClickHouse refuses the rows as data,
 * retrying cannot help: the batch's hits become dead letters instead, so one
 * bad batch never blocks the pipeline. Anything else is thrown, and the bus
 * delivers the batch again.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { isDataError } from '../../clickhouse/errors.ts';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { BusRecord } from '../../bus/bus.ts';
import { chMinute } from '../../clickhouse/time.ts';
import { deadLetterRow, type BatchRows } from './rows.ts';
import { moveBotVisitors } from './move-bot-visitors.ts';

/** `redo`: the batch may have been loaded (in part) before: the processor restored its state to do it. */
export async function loadBatch(ch: ClickHouse, rows: BatchRows, token: string, redo = false): Promise<void> {
  await insertRows(ch, 'events', rows.events, token);
  await insertRows(ch, 'bot_hits', rows.botHits, token);
  await moveBotVisitors(ch, rows.botVisitors, token, redo);
  await insertRows(ch, 'sessions', rows.sessions, token);
  await insertRows(ch, 'dead_letters', rows.deadLetters, token);
  await insertRows(ch, 'pipeline_stats', rows.stats, token);
}

/** Loads the batch; on a ClickHouse data error, dead-letters all of its records instead. */
export async function loadOrDeadLetter(ch: ClickHouse, rows: BatchRows, records: BusRecord[], token: string, now: number, redo = false): Promise<'loaded' | 'dead_lettered'> {
  try {
    await loadBatch(ch, rows, token, redo);
    return 'loaded';
  } catch (err) {
    if (!isDataError(err)) throw err;
    log.error('ClickHouse refused a batch as bad data; its hits go to the dead letters', { batch: token, error: errorMessage(err) });
    const detail = errorMessage(err);
    await insertRows(ch, 'dead_letters', records.map((r) => deadLetterRow('', 'bus', 'load_rejected', detail, r.value, r.position, now)), `${token}:rejected`);
    await insertRows(ch, 'pipeline_stats', [{ minute: chMinute(now), site: '', outcome: 'dead_letter', reason: 'load_rejected', count: records.length }], `${token}:rejected`);
    return 'dead_lettered';
  }
}
