/** The request headers the processor needs, copied into the Hit (docs/architecture.md, The path of a hit). */
import type { HitHeaders } from '../../common/hit.ts';

/** `header` gives a request header by its lower-case name (Hono's `c.req.header`, or a route served from Node). */
export function requestHeaders(header: (name: string) => string | undefined): HitHeaders {
  return {
    userAgent: header('user-agent')?.slice(0, 1024) ?? '',
    acceptLanguage: header('accept-language')?.slice(0, 128) ?? '',
    // Global Privacy Control (Sec-GPC: 1) and the older Do Not Track (DNT: 1): such hits are not written.
    optOut: header('sec-gpc') === '1' || header('dnt') === '1',
  };
}
