/**
 * A path the server has routes for, asked with a method none of them takes:
 * 405 with an `Allow` header naming the methods it does take (RFC 9110
 * §15.5.6, §10.2.1) — not 404 "no such endpoint", which would send a client
 * that only got the method wrong looking for another address.
 */
import { Hono } from 'hono';
import type { RouterRoute } from 'hono/types';
import { httpError } from '../common/http-error.ts';

/** The methods the routes take at a path, HEAD with GET (Hono answers HEAD with the GET route); none when the path is unknown. */
export function allowedMethods(routes: RouterRoute[]): (path: string) => string[] {
  // A router of the routes' own handlers only: middleware (method ALL, `use`) matches every path
  // and says nothing about what the path offers.
  const router = new Hono();
  const methods = new Set<string>();
  for (const r of routes) {
    if (r.method === 'ALL') continue;
    router.on(r.method, r.path, () => new Response(null));
    methods.add(r.method);
  }
  return (path) => {
    const allow = [...methods].filter((m) => router.router.match(m, path)[0].length > 0);
    if (allow.includes('GET')) allow.push('HEAD');
    return allow.sort();
  };
}

export function methodNotAllowed(method: string, path: string, allow: string[]): Response {
  return httpError(405, 'method_not_allowed', `${method} is not allowed on ${path}: use ${allow.join(', ')}`, {
    allow: allow.join(', '),
  }).getResponse();
}
