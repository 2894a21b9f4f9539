/** The `site` query parameter of a dashboard route, as the query API checks it (params.ts); a 400 otherwise. */
import type { Context } from 'hono';
import { httpError } from '../../common/http-error.ts';
import { ParamError, siteOf } from './params.ts';

export function siteParam(c: Context): string {
  try {
    return siteOf(c.req.query('site'));
  } catch (err) {
    if (err instanceof ParamError) throw httpError(400, err.code, err.message);
    throw err;
  }
}
