/**
 * The engine program's half of a batch (processor/batch/batch-handler.ts,
 * `program: 'engine'`): the records staged, parsed and enriched in the engine
 * (processor/stage/stage-batch.ts), the people's hits sessionized here as
 * always (sessionize.ts), and a load that writes the hits from the engine's
 * tables (processor/load/load-staged.ts) and the rest as the JavaScript
 * program does (load-batch.ts). The stage's tables live from here until the
 * load is done or fails, or the batch is discarded.
 */
import type { BusBatch } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { isDataError } from '../../clickhouse/errors.ts';
import { openStage } from '../../clickhouse/stage-session.ts';
import { errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { loadBatch, type LoadResult } from '../load/load-batch.ts';
import { loadStagedHits, stagedHitCounts } from '../load/load-staged.ts';
import { stageBatch, type StageContext } from '../stage/stage-batch.ts';
import { sessionize, type SessionRules, type SessionState } from './sessionize.ts';
import { stagedRows } from './staged-rows.ts';

export interface StagedProgram {
  ch: ClickHouse;
  context: StageContext;
  rules: SessionRules;
  stream: string;
  learnHost: (site: string, host: string) => void;
}

/**
 * Processes `batch` (its state advanced) and returns its load; `redo` as loadBatch takes it. Undefined when
 * the engine refused to stage the batch as data — a record the engine program does not yet handle, which
 * must not hold up the stream: nothing has changed then, and the caller gives the batch to the JavaScript
 * program, which isolates what the engine refuses row by row.
 */
export async function prepareStaged(
  p: StagedProgram,
  batch: BusBatch,
  state: SessionState,
): Promise<{ load: (redo: boolean) => Promise<LoadResult>; discard: () => Promise<void> } | undefined> {
  const stage = openStage(p.ch);
  try {
    let staged: Awaited<ReturnType<typeof stageBatch>>;
    try {
      staged = await stageBatch(p.ch, stage, batch.records, p.context);
    } catch (err) {
      if (!isDataError(err)) throw err;
      log.warn('the engine refused to stage a batch as data; the JavaScript program takes it', {
        batch: batch.token,
        error: errorMessage(err),
      });
      await stage.close();
      return undefined;
    }
    // Hosts the hits carry, in bus order, as run-records.ts tells them (enrichment counted them in already).
    for (const ev of staged.humans) if (ev.host) p.learnHost(ev.site, ev.host);
    const writes = sessionize(state, staged.humans, p.rules);
    for (const { site, host } of writes.ownHosts) p.learnHost(site, host);
    const { rows, assigned } = stagedRows(staged, writes, { now: p.context.now, stream: p.stream });
    const hits = stagedHitCounts(staged.counts, assigned);
    return {
      load: async (redo) => {
        try {
          return await loadBatch(p.ch, rows, batch.records, batch.token, p.context.now, redo, (byPosition) =>
            loadStagedHits(p.ch, stage, staged.tables, assigned, hits, byPosition, batch.token, p.context.now),
          );
        } finally {
          await stage.close();
        }
      },
      // Prepared but not to be loaded (bus/pipeline.ts): its tables go now.
      discard: () => stage.close(),
    };
  } catch (err) {
    // The batch fails with `err` either way; a table left behind goes with the session.
    await stage.close().catch(() => {});
    throw err;
  }
}
