/** GET /scalehouse.js — the beacon, served by the collector itself so pages need no third party. */
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import type { ServerEnv } from '../../server/env.ts';

const SNIPPET = readFileSync(new URL('../../snippet/scalehouse.js', import.meta.url), 'utf8');

export function snippetRoutes(): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get('/scalehouse.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=3600');
    c.header('access-control-allow-origin', '*');
    return c.body(SNIPPET);
  });
  return app;
}
