/**
 * Parsed events staged as the engine program stages them (a table of a
 * batch's stage: clickhouse/queries/stage/parsed-create.sql, rows as
 * processor/stage/parsed-row.ts makes them), for the tests and benches of
 * enrichment that start from the JavaScript parse step.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { openStage, type Stage } from '../../clickhouse/stage-session.ts';
import type { Hit } from '../../common/hit.ts';
import type { Event } from '../../processor/event.ts';
import { parsedRowOf } from '../../processor/stage/parsed-row.ts';

export const stagedRow = (ev: Event, hit: Hit, offset: number) => parsedRowOf({ position: `test@${offset}`, offset }, ev, hit);

/** A stage holding `rows` in its table of parsed events; close the stage when done. */
export async function stageParsed(ch: ClickHouse, rows: ReturnType<typeof stagedRow>[]): Promise<{ stage: Stage; parsed: string }> {
  const stage = openStage(ch);
  const parsed = stage.table('parsed');
  await stage.create('queries/stage/parsed-create.sql', parsed);
  await stage.insertBytes(parsed, Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'), 'utf8'), 'JSONEachRow');
  return { stage, parsed };
}
