/**
 * The table a batch's enriched events wait in when they stay in the engine
 * (enrich-batch.ts enrichInto): made for the batch and dropped after it, as
 * the staging table is (enrich-stage.ts). Its columns:
 * clickhouse/queries/stage/enrich-target-create.sql, those of _enrich.sql.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { command } from '../../clickhouse/query.ts';

export const createEnrichTarget = (ch: ClickHouse, target: string): Promise<void> =>
  command(ch, 'queries/stage/enrich-target-create.sql', { target });

export const dropEnrichTarget = (ch: ClickHouse, target: string): Promise<void> =>
  command(ch, 'queries/stage/enrich-target-drop.sql', { target });
