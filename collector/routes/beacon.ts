/**
 * POST /api/event — the browser beacon (snippet/). Accepts application/json
 * and text/plain: navigator.sendBeacon sends strings as text/plain, which
 * spares the page a CORS preflight. Answers 202 once the hit is on the bus,
 * with the browser's address made a pseudonym first. A visitor who asked not
 * to be tracked (Sec-GPC: 1, DNT: 1) gets 202 too, and nothing is written.
 *
 * The answer is one function of a small request (server/direct-route.ts):
 * served straight from Node by `scalehouse start`, and by this Hono route
 * where Hono takes the request (tests' `app.request`, a path Hono alone
 * matches) — one set of checks, limits and counters either way.
 */
import { Hono } from 'hono';
import { beaconHit } from '../../common/hit.ts';
import { httpError } from '../../common/http-error.ts';
import type { ServerEnv } from '../../server/env.ts';
import { checkContentType } from '../../server/content-type.ts';
import type { DirectAnswer, DirectRequest, DirectRoute } from '../../server/direct-route.ts';
import { withDirectRoutes } from '../../server/direct-route.ts';
import { parseJsonBody } from '../../server/json-body.ts';
import { openCors, type OpenCors } from '../../server/open-cors.ts';
import { readBody } from '../../server/read-body.ts';
import { beaconLimits } from '../beacon-limits.ts';
import { countRefusal } from '../count-refusals.ts';
import { checkOrigin, checkSite } from '../sites.ts';
import type { IntakeDeps } from '../deps.ts';
import { requestHeaders } from './request-headers.ts';

const CORS: OpenCors = { methods: ['POST'], maxAgeSeconds: 86_400 };
const JSON_TYPE = { 'content-type': 'application/json' };
const ACCEPTED = JSON.stringify({ accepted: 1 });
const OPTED_OUT = JSON.stringify({ accepted: 0 });

export function beaconRoutes(deps: IntakeDeps): Hono<ServerEnv> {
  const answer = acceptBeacon(deps);
  const app = new Hono<ServerEnv>();
  app.use('/api/event', openCors(CORS));
  app.post('/api/event', async (c) => {
    const a = await answer({
      method: c.req.method,
      path: c.req.path,
      header: (name) => c.req.header(name),
      clientAddress: c.get('clientAddress'),
      readBody: (max, tooLarge) => readBody(c, max, tooLarge),
    });
    return c.body(a.body ?? '', a.status as 202, a.headers);
  });
  const direct: DirectRoute = {
    path: '/api/event',
    methods: ['POST', 'OPTIONS'],
    role: 'collector',
    cors: CORS,
    answer,
    // What countRefusals does for the Hono route (collector/routes.ts).
    onError: (err) => countRefusal(deps.counters.refused, err),
  };
  return withDirectRoutes(app, [direct]);
}

/** The beacon's checks, in order, and its answer; throws the refusal (HttpRefusal) or the bus's error. */
export function acceptBeacon(deps: IntakeDeps): (req: DirectRequest) => Promise<DirectAnswer> {
  const max = deps.config.BEACON_MAX_BYTES;
  const tooLarge = () => httpError(413, 'payload_too_large', `a beacon may be at most ${max} bytes`);
  const limits = beaconLimits(deps.config);
  return async (req) => {
    limits.client(req.clientAddress);
    checkContentType(req.header('content-type'), ['application/json', 'text/plain']);
    const body = await req.readBody(max, tooLarge);
    const payload = parseJsonBody(body, 'the body');
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw httpError(400, 'invalid_beacon', 'the body must be a JSON object such as {"site":"example.com","url":"https://example.com/"}');
    }
    const p = payload as Record<string, unknown>;
    const site = checkSite(p.site, deps.config.SITES);
    checkOrigin(site, req.header('origin'), deps.config.BEACON_ORIGINS);
    limits.site(site);
    if (typeof p.url !== 'string' || p.url.length > 4096 || !URL.canParse(p.url)) {
      throw httpError(400, 'invalid_beacon', '"url" must be the absolute URL of the page');
    }
    const headers = requestHeaders(req.header);
    if (headers.optOut) {
      deps.counters.optedOut++;
      return { status: 202, headers: JSON_TYPE, body: OPTED_OUT };
    }
    const hit = beaconHit(site, p, { receivedAt: Date.now(), client: req.clientAddress, headers });
    await deps.bus.publish([deps.pseudonymise.hit(hit)]);
    deps.counters.accepted++;
    return { status: 202, headers: JSON_TYPE, body: ACCEPTED };
  };
}
