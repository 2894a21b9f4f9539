/** The loader against the real engine: data errors are recognised, never retried, and dead-lettered. */
import { describe, expect, it } from 'vitest';
import { loadOrDeadLetter } from '../../processor/load/load-batch.ts';
import { isDataError } from '../../clickhouse/errors.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { chTime } from '../../clickhouse/time.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';

describe('loader', () => {
  it('stores any text byte for byte, and a token loads its rows once', async () => {
    const ch = await freshClickHouse();
    // Rows travel inline after the statement (clickhouse/insert.ts): nothing in them may end it or change it.
    const hostile = [
      `'; DROP TABLE dead_letters; --`, 'a"b\\"c', 'line\nbreak\r\n', '\\', 'FORMAT TSV\n1\t2', '{"json":[1,2]}', 'é 漢字 🙂', '`tick`', '\u0000nul', ';',
    ];
    const now = Date.now();
    const at = (i: number) => chTime(now + i * 1000); // dead letters are kept 30 days
    const toRow = (raw: string, i: number) => ({ ts: at(i), site: 's', source: 'log', reason: 'invalid_hit', detail: raw, raw, position: `p@${i}` });
    const batch = hostile.map(toRow);
    await insertRows(ch, 'dead_letters', batch, 'same-token');
    await insertRows(ch, 'dead_letters', batch, 'same-token');
    const stored = await rows<{ raw: string; detail: string }>(ch, 'SELECT raw, detail FROM dead_letters ORDER BY ts');
    expect(stored.map((r) => r.raw)).toEqual(hostile);
    expect(stored.map((r) => r.detail)).toEqual(hostile);
    await insertRows(ch, 'dead_letters', batch, 'another-token');
    expect(await rows(ch, 'SELECT count() AS n FROM dead_letters')).toEqual([{ n: 2 * hostile.length }]);
    await ch.close();
  });

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
    expect(await rows(ch, 'SELECT reason, position FROM dead_letters ORDER BY ts')).toEqual([
      { reason: 'load_rejected', position: 'p@1' }, { reason: 'load_rejected', position: 'p@2' },
    ]);
    await ch.close();
  });
});
