/** The loader against the real engine: data errors are recognised, never retried, and dead-lettered. */
import { describe, expect, it } from 'vitest';
import { loadOrDeadLetter } from '../../processor/load/load-batch.ts';
import { isDataError } from '../../clickhouse/errors.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';

describe('loader', () => {
  it('recognises ClickHouse data errors from the embedded engine', async () => {
    const ch = await freshClickHouse();
    const err = await insertRows(ch, 'pipeline_stats', [{ minute: '2026-11-28 10:00:00', site: 's', outcome: 'o', reason: 'r', count: -5 }], 't1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isDataError(err)).toBe(true);
    expect(isDataError(new Error('ECONNREFUSED'))).toBe(false);
    await ch.close();
  });

  it('dead-letters a batch ClickHouse refuses as data, instead of retrying it forever', async () => {
    const ch = await freshClickHouse();
    const records = [{ value: '{"v":1}', position: 'p@1', offset: 1 }, { value: '{"v":1}', position: 'p@2', offset: 2 }];
    const bad = { events: [], botHits: [], sessions: [], deadLetters: [], botVisitors: [], stats: [{ minute: 'not a time', site: 's', outcome: 'event', reason: '', count: 1 }] };
    expect(await loadOrDeadLetter(ch, bad, records, 'tok', Date.now())).toBe('dead_lettered');
    expect(await rows(ch, 'SELECT reason, position FROM dead_letters ORDER BY position')).toEqual([
      { reason: 'load_rejected', position: 'p@1' }, { reason: 'load_rejected', position: 'p@2' },
    ]);
    await ch.close();
  });
});
