/**
 * Serves the direct routes (direct-route.ts) from Node's request listener:
 * the client address as the server's middleware reads it (client-address.ts),
 * the route's answer or the one error answer of server/handle-error.ts, and
 * the request's time for `http_request_duration_seconds` under the route's
 * pattern, as requestTiming does for Hono's routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { HttpRefusal } from '../common/http-error.ts';
import { clientAddress } from './client-address.ts';
import { type DirectAnswer, type DirectRequest, type DirectRoute, isFor } from './direct-route.ts';
import { refusalFor } from './handle-error.ts';
import { ANY_ORIGIN, preflightHeaders } from './open-cors.ts';
import { readNodeBody } from './read-body.ts';
import type { ObserveRequest } from './request-timing.ts';

/** Answers Node's request if a direct route takes it (true), else leaves it to Hono (false). */
export type AnswerDirect = (req: IncomingMessage, res: ServerResponse) => boolean;

export function answerDirect(opts: {
  routes: DirectRoute[];
  isTrusted: (address: string) => boolean;
  /** The server's peer address function, given what the Node adapter gives Hono's context (`c.env`). */
  peerAddress: (c: Context) => string;
  observeRequest?: ObserveRequest;
}): AnswerDirect {
  return (req, res) => {
    const route = opts.routes.find((r) => isFor(r, req));
    if (!route) return false;
    const started = performance.now();
    // The same shape @hono/node-server gives a route (c.env): socketPeer and tests' peers read it.
    const peer = opts.peerAddress({ env: { incoming: req, outgoing: res } } as unknown as Context);
    const forwardedFor = req.headers['x-forwarded-for'];
    const request: DirectRequest = {
      method: req.method!,
      path: route.path,
      header: (name) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v.join(', ') : v;
      },
      clientAddress: clientAddress(peer, Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor, opts.isTrusted),
      readBody: (maxBytes, tooLarge) => readNodeBody(req, maxBytes, tooLarge),
    };
    const done = (answer: DirectAnswer) => {
      write(res, answer);
      opts.observeRequest?.(route.path, answer.status, (performance.now() - started) / 1000);
    };
    if (route.cors && request.method === 'OPTIONS') {
      done({ status: 204, headers: preflightHeaders(route.cors, request.header('access-control-request-headers')) });
      return true;
    }
    route.answer(request).then(
      // As openCors does for Hono's routes: the answer says any page may read it; a refusal does not.
      (answer) => done(route.cors ? { ...answer, headers: { ...answer.headers, [ANY_ORIGIN]: '*' } } : answer),
      async (err: Error) => {
        route.onError?.(err);
        const answer = await answerOf(refusalFor(err, { role: route.role, method: request.method, path: route.path }));
        // A body refused too large or part-read: the connection closes rather than read the rest. A small
        // one never read (a 429 before it) Node reads and drops itself (http.Server's req._dump() once
        // the answer is out), and the connection is kept.
        const close = !req.readableEnded && (req.readableFlowing !== null || answer.status === 413);
        done(close ? { ...answer, headers: { ...answer.headers, connection: 'close' } } : answer);
      },
    );
    return true;
  };
}

async function answerOf(refusal: ReturnType<typeof refusalFor>): Promise<DirectAnswer> {
  if (refusal instanceof HttpRefusal) return { status: refusal.status, headers: refusal.headers, body: refusal.body };
  // Hono's own HTTPException (none of the direct routes throws one): read its Response.
  const res = refusal.getResponse();
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

function write(res: ServerResponse, answer: DirectAnswer): void {
  if (answer.body === undefined) res.writeHead(answer.status, answer.headers).end();
  // A length, not chunks: the answer is whole already.
  else res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) }).end(answer.body);
}
