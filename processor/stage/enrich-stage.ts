/**
 * The staging table a batch's parsed events wait in for enrich.sql: made for
 * the batch and dropped after it (Memory engine; the addresses in it never
 * reach a disk). Its columns: clickhouse/queries/stage/enrich-stage-create.sql.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { command } from '../../clickhouse/query.ts';

export const createStage = (ch: ClickHouse, stage: string): Promise<void> =>
  command(ch, 'queries/stage/enrich-stage-create.sql', { stage });

export const dropStage = (ch: ClickHouse, stage: string): Promise<void> => command(ch, 'queries/stage/enrich-stage-drop.sql', { stage });
