/**
 * The embedded engine keeps a session's settings from one query to the next,
 * and the dashboard's reads run read-only (readonly=2) with result limits: on
 * the handle `scalehouse start` writes salts, health reports and alerts
 * through, one dashboard read made every later write fail ("Cannot execute
 * query in readonly mode"). Dashboard reads get a handle of their own.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connectClickHouse, dashboardReads } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { migrate } from '../../clickhouse/migrate.ts';
import { runNamedQuery } from '../../clickhouse/named-query.ts';
import { chMinute, chTime } from '../../clickhouse/time.ts';
import { rows } from '../helpers/clickhouse.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const LIMITS = { maxSeconds: 30, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 2 };

describe('dashboard reads on the embedded engine', () => {
  it('leave the handle the pipeline writes through writable and unlimited', async () => {
    const config = {
      CLICKHOUSE_URL: '',
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      DATA_DIR: tempDir('reads'),
      CLICKHOUSE_DATABASE: `t_${randomUUID().replace(/-/g, '')}`,
    };
    const ch = await connectClickHouse(config);
    const reads = await dashboardReads(ch, config, LIMITS);
    try {
      await migrate(ch, { rawRetentionDays: 0 });
      const now = Date.now();
      const health = (i: number) => ({
        minute: chMinute(now),
        instance: 'x',
        role: 'start',
        metric: 'hits_acknowledged',
        reason: String(i),
        kind: 'counter',
        value: 1,
      });
      await insertRows(ch, 'pipeline_health', [health(0), health(1), health(2)], 'before');
      // A dashboard read under its limits: read-only, at most 2 result rows.
      expect(await runNamedQuery(reads, 'sites.events', { site: '', from: chTime(0), to: chTime(now + 60_000) })).toEqual([]);
      await expect(runNamedQuery(reads, 'alerts.events', { site: 'x', from: chTime(0), to: chTime(now + 60_000) })).resolves.toEqual([]);
      // The pipeline's handle still writes, and reads more rows than the dashboard may.
      await insertRows(ch, 'pipeline_health', [health(3)], 'after');
      expect(await rows(ch, 'SELECT reason FROM pipeline_health ORDER BY reason')).toEqual(
        ['0', '1', '2', '3'].map((reason) => ({ reason })),
      );
    } finally {
      await reads.close();
      await ch.close();
    }
  });
});
