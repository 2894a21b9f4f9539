/**
 * Goals and funnels in ClickHouse (dashboard_definitions, migration 0015),
 * read and written through the dashboard's definitions handle. An edit or a
 * deletion is a new version of the row; nothing is mutated.
 */
import { isoTime } from '../../common/iso-time.ts';
import { randomUUID } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { selectRows } from '../../clickhouse/query.ts';
import { chTime } from '../../clickhouse/time.ts';
import { nextVersion } from '../row-version.ts';
import type { Step } from './definition.ts';

export type DefinitionKind = 'goal' | 'funnel';

/** `created_at` in ISO 8601, as every time the API answers (common/iso-time.ts). */
export interface Goal extends Step {
  id: string;
  site: string;
  name: string;
  created_at: string;
}
export interface Funnel {
  id: string;
  site: string;
  name: string;
  steps: Step[];
  created_at: string;
}

/** As ClickHouse answers it: 64-bit integers (created_at, milliseconds) come quoted. */
interface Row {
  id: string;
  site: string;
  kind: DefinitionKind;
  name: string;
  definition: string;
  created_at: number | string;
}

const asGoal = (r: Row): Goal => {
  const { kind, match } = JSON.parse(r.definition) as Step;
  return { id: r.id, site: r.site, name: r.name, kind, match, created_at: isoTime(r.created_at) };
};
const asFunnel = (r: Row): Funnel => ({
  id: r.id,
  site: r.site,
  name: r.name,
  steps: (JSON.parse(r.definition) as { steps: Step[] }).steps,
  created_at: isoTime(r.created_at),
});

const list = (ch: ClickHouse, site: string, kind: DefinitionKind) =>
  selectRows<Row>(ch, 'queries/definitions/list-definitions.sql', { site, kind });
const find = async (ch: ClickHouse, site: string, kind: DefinitionKind, id: string) =>
  (await selectRows<Row>(ch, 'queries/definitions/find-definition.sql', { site, kind, id }))[0];

export const listGoals = async (ch: ClickHouse, site: string): Promise<Goal[]> => (await list(ch, site, 'goal')).map(asGoal);
export const listFunnels = async (ch: ClickHouse, site: string): Promise<Funnel[]> => (await list(ch, site, 'funnel')).map(asFunnel);
export const countDefinitions = async (ch: ClickHouse, site: string, kind: DefinitionKind): Promise<number> =>
  (await list(ch, site, kind)).length;

/** Whether a live goal or funnel of the site has this id (ids come from the URL: check the shape first). */
export const definitionExists = async (ch: ClickHouse, site: string, kind: DefinitionKind, id: string): Promise<boolean> =>
  isUuid(id) && (await find(ch, site, kind, id)) !== undefined;

export const isUuid = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * Writes a goal or funnel: a new one (no id), or a new version of a live one
 * (undefined when there is none). Returns the id.
 */
export async function saveDefinition(
  ch: ClickHouse,
  kind: DefinitionKind,
  site: string,
  name: string,
  definition: object,
  id?: string,
): Promise<string | undefined> {
  let createdAt = Date.now();
  if (id !== undefined) {
    const existing = isUuid(id) ? await find(ch, site, kind, id) : undefined;
    if (!existing) return undefined;
    createdAt = Number(existing.created_at);
  }
  const rowId = id ?? randomUUID();
  await insertRows(
    ch,
    'dashboard_definitions',
    [
      {
        site,
        kind,
        id: rowId,
        name,
        definition: JSON.stringify(definition),
        created_at: chTime(createdAt),
        version: nextVersion(),
        is_deleted: 0,
      },
    ],
    `definition:${randomUUID()}`,
  );
  return rowId;
}

/** Deletes a live goal or funnel; false when there is none. */
export async function deleteDefinition(ch: ClickHouse, kind: DefinitionKind, site: string, id: string): Promise<boolean> {
  const existing = isUuid(id) ? await find(ch, site, kind, id) : undefined;
  if (!existing) return false;
  await insertRows(
    ch,
    'dashboard_definitions',
    [
      {
        site,
        kind,
        id,
        name: existing.name,
        definition: existing.definition,
        created_at: chTime(Number(existing.created_at)),
        version: nextVersion(),
        is_deleted: 1,
      },
    ],
    `definition:${randomUUID()}`,
  );
  return true;
}
