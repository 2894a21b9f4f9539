/**
 * `scalehouse` in a checkout: the compiled dist/ when it was built from these
 * very sources (scripts/source-stamp.mjs), else the TypeScript sources through
 * tsx — so an edited .ts file never meets a stale build. `npm start` builds
 * first (its prestart), and runs the compiled code.
 */
import { fileURLToPath } from 'node:url';
import { isBuildCurrent } from './source-stamp.mjs';

if (isBuildCurrent(fileURLToPath(new URL('..', import.meta.url)))) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
