/**
 * The engine's enrichment read back as rows (clickhouse/queries/stage/enrich.sql,
 * the same SELECT the processor's enrichInto keeps in the engine), for the
 * differential test of enrichment and its micro-benchmark.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import type { Stage } from '../../clickhouse/stage-session.ts';
import { prepareEnrich, type EnrichContext } from '../../processor/stage/enrich-batch.ts';
import type { EnrichedRow } from './enriched-outcome.ts';

/** The batch's parsed events (a table of `stage`: parsed-create.sql) enriched, one row each in offset order. */
export async function enrichStaged(ch: ClickHouse, stage: Stage, parsed: string, ctx: EnrichContext): Promise<EnrichedRow[]> {
  const rows = await stage.rows<EnrichedRow>('queries/stage/enrich.sql', await prepareEnrich(ch, stage, parsed, ctx));
  return rows.sort((a, b) => Number(a.offset) - Number(b.offset));
}
