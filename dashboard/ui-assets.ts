/**
 * The dashboard's static files, read once at start-up, and the one server of
 * them (server/static-asset.ts: compressed, ETag, 304) that the logged-in
 * dashboard (/ui/…) and shared links (/share/TOKEN/ui/…) both answer from,
 * each with its own Cache-Control.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { serveFiles, type StaticFile } from '../server/static-asset.ts';

const require = createRequire(import.meta.url);
const asset = (path: string) => readFileSync(new URL(`./ui/${path}`, import.meta.url));
const UI_FILES: Readonly<Record<string, StaticFile>> = {
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
/** GET …/ui/:file, with the caller's Cache-Control; 404 for a file not listed. */
export const UI_ASSETS = serveFiles(UI_FILES);
export const UI_ASSETS_PAGE = { index: asset('index.html'), login: asset('login.html') };
