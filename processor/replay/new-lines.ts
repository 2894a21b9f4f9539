/**
 * How many lines of a replay were new, rather than loaded by an earlier run
 * of the same file. A batch's rows go in under tokens named after the file
 * and the batch, so ClickHouse drops a batch loaded before without a word
 * (clickhouse/insert.ts); the rows it reports are no help (the embedded
 * engine reports none). What does tell: pipeline_stats counts each line of a
 * batch once, in one insert under the batch's token (load/load-batch.ts), so
 * across a batch's load the site's counters grow by the batch's size if it
 * landed, and not at all if it was dropped.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { selectRows } from '../../clickhouse/query.ts';
import { chMinute } from '../../clickhouse/time.ts';

export function newLineCounter(ch: ClickHouse, site: string, startedAt: number) {
  const params = { site, since: chMinute(startedAt) };
  const counted = async () => Number((await selectRows<{ n: number | string }>(ch, 'queries/replay-counted-lines.sql', params))[0]?.n ?? 0);
  let added = 0;
  return {
    /** Runs the load of a batch of `lines` lines, and counts them if they landed. */
    async load(lines: number, load: () => Promise<void>): Promise<void> {
      const before = await counted();
      await load();
      // "At least": with a ClickHouse server, processors may count live hits of the same site
      // meanwhile. They make the counters grow a little during a dropped batch, seldom by a batch's size.
      if ((await counted()) - before >= lines) added += lines;
    },
    get added(): number {
      return added;
    },
  };
}
