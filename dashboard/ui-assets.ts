/**
 * The dashboard's static files, read once at start-up, and the handler that
 * serves them — to the logged-in dashboard (/ui/…) and to shared links
 * (/share/TOKEN/ui/…) alike.
 */
import type { Context } from 'hono';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { httpError } from '../common/http-error.ts';
import { own } from '../common/own.ts';

export type UiAssets = Readonly<Record<string, { body: Buffer; type: string }>>;

const require = createRequire(import.meta.url);
const asset = (path: string) => readFileSync(new URL(`./ui/${path}`, import.meta.url));
export const UI_ASSETS: UiAssets = {
  'app.js': { body: asset('app.js'), type: 'text/javascript; charset=utf-8' },
  'login.js': { body: asset('login.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { body: asset('style.css'), type: 'text/css; charset=utf-8' },
  'view-bridge.js': { body: asset('view-bridge.js'), type: 'text/javascript; charset=utf-8' },
  'goals.js': { body: asset('goals.js'), type: 'text/javascript; charset=utf-8' },
  'sharing.js': { body: asset('sharing.js'), type: 'text/javascript; charset=utf-8' },
  'goals.css': { body: asset('goals.css'), type: 'text/css; charset=utf-8' },
  // The API reference (a page of its own, behind the login as all of /ui): it renders /api/openapi.json.
  'api.html': { body: asset('api.html'), type: 'text/html; charset=utf-8' },
  'api.js': { body: asset('api.js'), type: 'text/javascript; charset=utf-8' },
  'api.css': { body: asset('api.css'), type: 'text/css; charset=utf-8' },
  'uplot.js': { body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')), type: 'text/css; charset=utf-8' },
};
export const UI_ASSETS_PAGE = { index: asset('index.html'), login: asset('login.html') };

/** GET …/ui/:file: one of `assets`, cached briefly (they change with a release). */
export const serveAsset = (assets: UiAssets, cacheControl = 'public, max-age=300') => (c: Context): Response => {
  const a = own(assets, c.req.param('file') ?? '');
  if (!a) throw httpError(404, 'not_found', 'no such file');
  return c.body(new Uint8Array(a.body), 200, { 'content-type': a.type, 'cache-control': cacheControl });
};
