/**
 * POST /api/event — the browser beacon (snippet/). Accepts application/json
 * and text/plain: navigator.sendBeacon sends strings as text/plain, which
 * spares the page a CORS preflight. Answers 202 once the hit is on the bus,
 * with the browser's address made a pseudonym first. A visitor who asked not
 * to be tracked (Sec-GPC: 1, DNT: 1) gets 202 too, and nothing is written.
 */
import { Hono } from 'hono';
import { beaconHit } from '../../common/hit.ts';
import { httpError } from '../../common/http-error.ts';
import type { ServerEnv } from '../../server/env.ts';
import { requireContentType } from '../../server/content-type.ts';
import { readBody } from '../../server/read-body.ts';
import { parseJsonBody } from '../../server/json-body.ts';
import { openCors } from '../../server/open-cors.ts';
import { beaconLimits } from '../beacon-limits.ts';
import { checkOrigin, checkSite } from '../sites.ts';
import type { IntakeDeps } from '../deps.ts';
import { requestHeaders } from './request-headers.ts';

export function beaconRoutes(deps: IntakeDeps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.use('/api/event', openCors({ methods: ['POST'], maxAgeSeconds: 86_400 }));
  const max = deps.config.BEACON_MAX_BYTES;
  const tooLarge = () => httpError(413, 'payload_too_large', `a beacon may be at most ${max} bytes`);
  const limits = beaconLimits(deps.config);
  app.post('/api/event', async (c) => {
    limits.client(c.get('clientAddress'));
    requireContentType(c, ['application/json', 'text/plain']);
    const body = await readBody(c, max, tooLarge);
    const payload = parseJsonBody(body, 'the body');
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw httpError(400, 'invalid_beacon', 'the body must be a JSON object such as {"site":"example.com","url":"https://example.com/"}');
    }
    const p = payload as Record<string, unknown>;
    const site = checkSite(p.site, deps.config.SITES);
    checkOrigin(site, c.req.header('origin'), deps.config.BEACON_ORIGINS);
    limits.site(site);
    if (typeof p.url !== 'string' || p.url.length > 4096 || !URL.canParse(p.url)) {
      throw httpError(400, 'invalid_beacon', '"url" must be the absolute URL of the page');
    }
    const headers = requestHeaders(c);
    if (headers.optOut) {
      deps.counters.optedOut++;
      return c.json({ accepted: 0 }, 202);
    }
    const hit = beaconHit(site, p, { receivedAt: Date.now(), client: c.get('clientAddress'), headers });
    await deps.bus.publish([deps.pseudonymise.hit(hit)]);
    deps.counters.accepted++;
    return c.json({ accepted: 1 }, 202);
  });
  return app;
}
