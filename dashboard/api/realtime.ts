/**
 * GET /api/realtime?site=S — the realtime view as Server-Sent Events: a
 * `snapshot` event every few seconds (LiveFeeds: one reader per site, shared
 * by all its streams) with the visitors of the last five minutes and the
 * latest hits, or a `problem` event when the read failed. Behind the
 * dashboard's login or an API token, as /api/stats; only for a site with
 * data (404 `unknown_site`), and within the caps per credential and per site
 * (429 `too_many_streams`, open-streams.ts).
 *
 * A stream ends when the client goes away (the socket closes: the node
 * server cancels the body, which aborts the stream), and when its credential
 * does — logged out, revoked, expired: then an `end` event says why and the
 * response ends. With the last viewer of a site its reader stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono, type Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { HttpBindings } from '@hono/node-server';
import { siteParam } from '../query/site-param.ts';
import { httpError } from '../../common/http-error.ts';
import type { Credential } from '../auth/credential.ts';
import type { LiveFeeds, LiveMessage } from './live-feed.ts';
import type { OpenStreams, StreamTicket } from './open-streams.ts';
import type { SiteKnown } from './known-sites.ts';

export interface RealtimeDeps {
  feeds: LiveFeeds;
  streams: OpenStreams;
  /** The request's live credential (login session or API token), if any. */
  credentialOf: (c: Context) => Credential | undefined;
  /** Whether a site has had hits (known-sites.ts). */
  siteKnown: SiteKnown;
}

/** How long the `end` event may take to go out before the connection is cut instead. */
const END_GRACE_MS = 1000;

export function realtimeRoutes(deps: RealtimeDeps): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const unknown = Object.keys(c.req.query()).filter((k) => k !== 'site');
    if (unknown.length) throw httpError(400, 'unknown_parameter', `unknown parameter: ${unknown.join(', ').slice(0, 100)}; known: site`);
    const site = siteParam(c);
    const credential = deps.credentialOf(c);
    if (!credential) throw httpError(401, 'login_required', 'log in at /login first');
    // The place is taken before the lookup, so a burst of opens cannot all pass the cap while they wait.
    const ticket = deps.streams.open(credential, site);
    try {
      if (!(await deps.siteKnown(site)))
        throw httpError(404, 'unknown_site', `no hits for ${site} yet: its realtime view opens once the first one is loaded`);
    } catch (err) {
      ticket.release();
      throw err;
    }
    return streamSSE(c, (stream) => follow(stream, deps.feeds, site, ticket, c.req.raw.signal, c.env as Partial<HttpBindings> | undefined));
  });
  return app;
}

/** Sends `site`'s snapshots on `stream` until the client leaves or the ticket's credential ends. */
async function follow(
  stream: SSEStreamingApi,
  feeds: LiveFeeds,
  site: string,
  ticket: StreamTicket,
  request: AbortSignal,
  node?: Partial<HttpBindings>,
): Promise<void> {
  let unsubscribe = () => {};
  try {
    const reason = await new Promise<string | undefined>((resolve) => {
      const gone = () => resolve(undefined);
      const ended = () => resolve(String(ticket.signal.reason));
      stream.onAbort(gone);
      request.addEventListener('abort', gone, { once: true });
      ticket.signal.addEventListener('abort', ended, { once: true });
      if (ticket.signal.aborted) return ended();
      // A client that reads slowly gets the next snapshot once it took the last, not a queue of them.
      let writing = false;
      unsubscribe = feeds.subscribe(site, (m: LiveMessage) => {
        if (writing || stream.aborted || ticket.signal.aborted) return;
        writing = true;
        stream
          .writeSSE({ event: 'error' in m ? 'problem' : 'snapshot', data: JSON.stringify(m) })
          .catch(() => undefined)
          .finally(() => (writing = false));
      });
    });
    unsubscribe();
    if (reason === undefined || stream.aborted) return;
    const grace = new AbortController();
    const said = stream.writeSSE({ event: 'end', data: JSON.stringify({ reason }) }).then(
      () => true,
      () => true,
    );
    const sent = await Promise.race([said, sleep(END_GRACE_MS, false, { signal: grace.signal }).catch(() => false)]);
    grace.abort();
    // A client that stopped reading would keep the response open past its credential, its socket
    // full (node's response waits for 'drain'): the socket is closed instead.
    if (!sent) node?.outgoing?.destroy();
  } finally {
    unsubscribe();
    ticket.release();
  }
}
