/**
 * GET /scalehouse.js — the beacon, served by the collector itself so pages need
 * no third party: the minified build (snippet/scalehouse.min.js, `npm run
 * build:snippet`), precompressed. GET /scalehouse.src.js — the readable source
 * it is built from, for anyone who wants to see what runs on their pages.
 */
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import type { ServerEnv } from '../../server/env.ts';
import { serveFile, type AssetHeaders } from '../../server/static-asset.ts';

const HEADERS: AssetHeaders = {
  'content-type': 'text/javascript; charset=utf-8',
  // An hour fresh, then a day served from cache while it is fetched again: a new version reaches
  // every page within the hour, and a page never waits on the collector for it.
  'cache-control': 'public, max-age=3600, stale-while-revalidate=86400',
  'access-control-allow-origin': '*',
  // Loadable by pages that isolate themselves (Cross-Origin-Embedder-Policy: require-corp).
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
};

const snippetFile = (name: string) => readFileSync(new URL(`../../snippet/${name}`, import.meta.url));

export function snippetRoutes(): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.get('/scalehouse.js', serveFile(snippetFile('scalehouse.min.js'), HEADERS));
  app.get('/scalehouse.src.js', serveFile(snippetFile('scalehouse.js'), HEADERS));
  return app;
}
