/**
 * Routes answered straight from Node's request, before @hono/node-server
 * builds a web-standard Request, its headers and a Response around it: the
 * beacon, the one route every page view calls. The adapter and Hono's
 * routing were a quarter of the main thread's time per beacon
 * (docs/benchmarks.md, "Reading the intake figures"). A role gives the route's
 * answer as one function of a small request (DirectRequest), and serves the
 * same function from its Hono route too, so each check, limit and error body
 * has one implementation; the server (answer-direct.ts) adds what it adds
 * to every route: the client address, the error answers, request timing.
 */
import type { IncomingMessage } from 'node:http';
import type { OpenCors } from './open-cors.ts';

export interface DirectRequest {
  method: string;
  /** Without the query. */
  path: string;
  /** A request header by its lower-case name. */
  header(name: string): string | undefined;
  /** After trusted-proxy handling (server/client-address.ts). */
  clientAddress: string;
  /** The body as text, at most `maxBytes` (server/read-body.ts); `tooLarge` makes the 413. */
  readBody(maxBytes: number, tooLarge: () => Error): Promise<string>;
}

export interface DirectAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or none (a 204). */
  body?: string;
}

export interface DirectRoute {
  path: string;
  methods: string[];
  /** Open CORS (open-cors.ts): preflights answered by the server, the answers marked readable by any page. */
  cors?: OpenCors;
  /** Whose route it is: an unexpected error is logged as this role's (server/handle-error.ts). */
  role: string;
  answer(req: DirectRequest): Promise<DirectAnswer>;
  /** Hears every error the answer threw, before it is answered (the collector counts its refusals). */
  onError?(err: Error): void;
}

const DIRECT = Symbol('direct routes');

/** `routes` (a role's Hono routes) with the routes among them that the server may answer straight from Node. */
export function withDirectRoutes<T extends object>(routes: T, direct: DirectRoute[]): T {
  return Object.assign(routes, { [DIRECT]: direct });
}

export function directRoutesOf(routes: object): DirectRoute[] {
  return (routes as { [DIRECT]?: DirectRoute[] })[DIRECT] ?? [];
}

/** Whether Node's request is one for `route`: its method and its path exactly (a query may follow). */
export function isFor(route: DirectRoute, req: IncomingMessage): boolean {
  const url = req.url ?? '';
  const end = url.indexOf('?');
  return (end === -1 ? url : url.slice(0, end)) === route.path && route.methods.includes(req.method ?? '');
}
