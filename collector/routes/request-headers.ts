/** The request headers the processor needs, copied into the Hit (docs/architecture.md, The path of a hit). */
import type { Context } from 'hono';
import type { HitHeaders } from '../../common/hit.ts';

export function requestHeaders(c: Context): HitHeaders {
  return {
    userAgent: c.req.header('user-agent')?.slice(0, 1024) ?? '',
    acceptLanguage: c.req.header('accept-language')?.slice(0, 128) ?? '',
    // Global Privacy Control (Sec-GPC: 1) and the older Do Not Track (DNT: 1): such hits are not written.
    optOut: c.req.header('sec-gpc') === '1' || c.req.header('dnt') === '1',
  };
}
