/**
 * A batch the local bus keeps retrying because ClickHouse cannot load it (a
 * table gone: UNKNOWN_TABLE, not bad data) is visible while it lasts — /readyz
 * not ready with since when, how many attempts and the last error; /metrics'
 * failing seconds and attempts; a `batch_stuck` alert from pipeline_health —
 * and all of it clears once the table is back and the batch loads
 * (tests/helpers/stuck-batch.ts).
 */
import { describe, it } from 'vitest';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { checkStuckBatch } from '../helpers/stuck-batch.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('a batch stuck on the local bus', () => {
  it('says so in /readyz, /metrics and the alerts, and recovers', async () => {
    const ch = await freshClickHouse();
    const bus = await LocalBus.open({ dir: tempDir('stuck-batch') });
    try {
      await checkStuckBatch(bus, ch);
    } finally {
      await bus.close();
    }
  });
});
