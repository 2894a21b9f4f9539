/**
 * Goals and funnels of a site, for the dashboard's editor:
 *
 *   GET    /api/goals?site=S        the site's goals       GET    /api/funnels?site=S
 *   POST   /api/goals               a new one (JSON)       POST   /api/funnels
 *   PUT    /api/goals/ID            a new version of it    PUT    /api/funnels/ID
 *   DELETE /api/goals/ID?site=S     gone                   DELETE /api/funnels/ID?site=S
 *
 * Bodies are checked by definition.ts (400 with the reason). Reading needs
 * what every /api/ route needs (a login or an API token); a change needs a
 * login and comes from the dashboard's own pages (same-origin.ts). Goals and
 * funnels are two apps of the same routes, mounted at /api/goals and
 * /api/funnels behind that check (dashboard/routes.ts).
 */
import { Hono, type Context } from 'hono';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { siteParam } from '../query/site-param.ts';
import { httpError } from '../../common/http-error.ts';
import { requireSameOrigin } from '../auth/same-origin.ts';
import { readJsonBody } from '../../server/json-body.ts';
import { DEFINITION_BODY, DefinitionError, MAX_FUNNELS, MAX_GOALS, parseFunnel, parseGoal } from './definition.ts';
import { countDefinitions, deleteDefinition, listFunnels, listGoals, saveDefinition, type DefinitionKind } from './store.ts';

export interface DefinitionDeps {
  /** The handle the definitions are read and written with. */
  definitions: ClickHouse;
  /** Whether the request comes with a login (not only an API token): changes need one. */
  signedIn: (c: Context) => boolean;
}

function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof DefinitionError) throw httpError(400, 'invalid_definition', err.message);
    throw err;
  }
}

/** Changes come from a login on the dashboard's own pages: an API token reads, it does not edit. */
export function requireLogin(c: Context, signedIn: (c: Context) => boolean): void {
  requireSameOrigin(c);
  if (!signedIn(c)) throw httpError(403, 'login_required', 'changes need a login to the dashboard; API tokens only read');
}

/** A checked body: the site, the name, and what is stored as the definition. */
interface Parsed {
  site: string;
  name: string;
  definition: object;
}

const KINDS: Record<
  DefinitionKind,
  { max: number; list: (ch: ClickHouse, site: string) => Promise<{ id: string }[]>; parse: (body: unknown) => Parsed }
> = {
  goal: {
    max: MAX_GOALS,
    list: listGoals,
    parse: (b) => {
      const g = parseGoal(b);
      return { site: g.site, name: g.name, definition: { kind: g.kind, match: g.match } };
    },
  },
  funnel: {
    max: MAX_FUNNELS,
    list: listFunnels,
    parse: (b) => {
      const f = parseFunnel(b);
      return { site: f.site, name: f.name, definition: { steps: f.steps } };
    },
  },
};

/** The routes of one kind of definition, relative to where they are mounted (/api/goals, /api/funnels). */
export function definitionRoutes(deps: DefinitionDeps, kind: DefinitionKind): Hono {
  const app = new Hono();
  const { max, list, parse } = KINDS[kind];
  const answer = async (site: string, id: string) => (await list(deps.definitions, site)).find((d) => d.id === id);

  app.get('/', async (c) => {
    const site = siteParam(c);
    c.header('cache-control', 'no-store');
    return c.json({ site, [`${kind}s`]: await list(deps.definitions, site) });
  });
  app.post('/', async (c) => {
    requireLogin(c, deps.signedIn);
    const body = await readJsonBody(c, DEFINITION_BODY);
    const d = checked(() => parse(body));
    if ((await countDefinitions(deps.definitions, d.site, kind)) >= max)
      throw httpError(409, 'too_many', `a site has at most ${max} ${kind}s: delete one first`);
    const id = (await saveDefinition(deps.definitions, kind, d.site, d.name, d.definition))!;
    return c.json({ [kind]: await answer(d.site, id) }, 201);
  });
  app.put('/:id', async (c) => {
    requireLogin(c, deps.signedIn);
    const body = await readJsonBody(c, DEFINITION_BODY);
    const d = checked(() => parse(body));
    const id = c.req.param('id').toLowerCase();
    if ((await saveDefinition(deps.definitions, kind, d.site, d.name, d.definition, id)) === undefined)
      throw httpError(404, `unknown_${kind}`, `no ${kind} ${id.slice(0, 40)} for ${d.site}`);
    return c.json({ [kind]: await answer(d.site, id) });
  });
  app.delete('/:id', async (c) => {
    requireLogin(c, deps.signedIn);
    const site = siteParam(c);
    const id = c.req.param('id').toLowerCase();
    if (!(await deleteDefinition(deps.definitions, kind, site, id)))
      throw httpError(404, `unknown_${kind}`, `no ${kind} ${id.slice(0, 40)} for ${site}`);
    return c.json({ deleted: id });
  });
  return app;
}
