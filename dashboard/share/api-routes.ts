/**
 * The owner's API of read-only shared links, mounted at /api/shares behind the
 * dashboard's login (dashboard/routes.ts; listing also with an API token):
 *   GET    /api/shares?site=S      the site's live links (never their tokens)
 *   POST   /api/shares             a new link (JSON, link-input.ts): its token once, in the answer
 *   DELETE /api/shares/ID?site=S   revoked: the link opens nothing from the next request on (link-routes.ts)
 * Described for the OpenAPI document by described-routes.ts.
 */
import { type Context, Hono } from 'hono';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { isValidSiteName } from '../../common/config.ts';
import { httpError } from '../../common/http-error.ts';
import type { ServerEnv } from '../../server/env.ts';
import { readJsonBody } from '../../server/json-body.ts';
import { DEFINITION_BODY, DefinitionError } from '../goals/definition.ts';
import { requireLogin } from '../goals/definition-routes.ts';
import { siteParam } from '../query/site-param.ts';
import { type LinkInput, parseLink } from './link-input.ts';
import { createShare, listShares, revokeShare } from './store.ts';

export interface ShareApiDeps {
  /** The handle shared links are read and written with (the definitions handle). */
  definitions: ClickHouse;
  /** Whether a request has a login (not only a token): the login check itself is the dashboard's, at /api/shares (routes.ts). */
  signedIn: (c: Context) => boolean;
}

export function shareApiRoutes(deps: ShareApiDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get('/', async (c) => {
    const site = siteParam(c);
    c.header('cache-control', 'no-store');
    return c.json({ site, shares: await listShares(deps.definitions, site) });
  });
  app.post('/', async (c) => {
    requireLogin(c, deps.signedIn);
    const body = await readJsonBody(c, DEFINITION_BODY);
    let input: LinkInput;
    try {
      input = parseLink(body);
    } catch (err) {
      if (err instanceof DefinitionError) throw httpError(400, 'invalid_link', err.message);
      throw err;
    }
    const { token, link } = await createShare(deps.definitions, input);
    c.header('cache-control', 'no-store');
    return c.json({ share: link, token, url: `/share/${token}` }, 201);
  });
  app.delete('/:id', async (c) => {
    requireLogin(c, deps.signedIn);
    const site = (c.req.query('site') ?? '').toLowerCase();
    const id = c.req.param('id').toLowerCase();
    if (!isValidSiteName(site) || !(await revokeShare(deps.definitions, site, id)))
      throw httpError(404, 'unknown_share', `no live shared link ${id.slice(0, 40)} for ${site.slice(0, 100) || 'that site'}`);
    return c.json({ revoked: id });
  });
  return app;
}
