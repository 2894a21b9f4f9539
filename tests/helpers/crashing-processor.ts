/**
 * A live stream through processors that crash: the lines as bus records of
 * one stream, `batchSize` to a batch. Every `crashEvery`-th batch the
 * processor "dies" after loading the batch and before committing it: a new
 * batch handler (nothing in memory) gets that batch again, restores the
 * stream's state from ClickHouse, and goes on. Returns how many crashes there were.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { logRecord } from './hits.ts';
import type { LogLine } from './read-log.ts';

export async function deliverWithCrashes(
  ch: ClickHouse,
  lines: LogLine[],
  opts: { sessionTimeoutMs: number; batchSize: number; crashEvery: number },
): Promise<number> {
  const salts = new SaltStore(ch); // one salt store: visitor ids of old days are the same across "processes"
  const records = lines.map((l, i) => logRecord(l.raw, i + 1, { position: `hits:0@${i + 1}` }));
  const newHandler = () => createBatchHandler({ ch, salts, sessionTimeoutMs: opts.sessionTimeoutMs });
  let handler = newHandler();
  let crashes = 0;
  for (let i = 0, batch = 0; i < records.length; i += opts.batchSize, batch++) {
    const part = {
      records: records.slice(i, i + opts.batchSize),
      token: `hits:0:${i}`,
      stream: 'hits:0',
      end: Math.min(i + opts.batchSize, records.length) + 1,
    };
    await handler.handle(part);
    if (batch % opts.crashEvery === opts.crashEvery - 1) {
      handler = newHandler();
      await handler.handle(part);
      crashes++;
    }
  }
  return crashes;
}
