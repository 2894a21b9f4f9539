/**
 * GET /api/realtime?site=S — the realtime view as Server-Sent Events: a
 * `snapshot` event every few seconds (LiveFeeds) with the visitors of the
 * last five minutes and the latest hits, or a `problem` event when the read
 * failed. The stream ends when the client goes away (the socket closes: the
 * node server cancels the body, which aborts the stream), and with the last
 * viewer of a site its reader stops. Behind the dashboard's login or an API
 * token, as /api/stats.
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { siteParam } from './site-param.ts';
import { httpError } from '../../common/http-error.ts';
import type { LiveFeeds, LiveMessage } from './live-feed.ts';

export function realtimeRoutes(feeds: LiveFeeds): Hono {
  const app = new Hono();
  app.get('/api/realtime', (c) => {
    const unknown = Object.keys(c.req.query()).filter((k) => k !== 'site');
    if (unknown.length) throw httpError(400, 'unknown_parameter', `unknown parameter: ${unknown.join(', ').slice(0, 100)}; known: site`);
    const site = siteParam(c);
    return streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        // A client that reads slowly gets the next snapshot once it took the last, not a queue of them.
        let writing = false;
        const send = (m: LiveMessage) => {
          if (writing || stream.aborted) return;
          writing = true;
          stream.writeSSE({ event: 'error' in m ? 'problem' : 'snapshot', data: JSON.stringify(m) }).catch(() => undefined).finally(() => (writing = false));
        };
        const unsubscribe = feeds.subscribe(site, send);
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          unsubscribe();
          resolve();
        };
        stream.onAbort(end);
        c.req.raw.signal.addEventListener('abort', end, { once: true });
      });
    });
  });
  return app;
}
