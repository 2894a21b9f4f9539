#!/usr/bin/env node
/**
 * `npm run build`: the JavaScript production runs, in dist/. tsc compiles what
 * the CLI's entry points reach (tsconfig.build.json); beside the compiled files
 * go the files the code reads by a path relative to itself — SQL, the
 * dashboard's UI, the beacon — and package.json (the version), so every
 * `new URL(…, import.meta.url)` finds in dist/ what it finds beside the
 * sources. Last comes dist/build-stamp.json, the digest of the sources
 * compiled (scripts/source-stamp.mjs). The build is made aside and swapped in
 * whole: no one runs half a dist/.
 *
 * `--if-stale` (npm start's prestart): nothing to do when dist/ was built
 * from the sources as they are.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOURCE_DIRS, STAMP_FILE, builtDigest, sourceDigest } from './source-stamp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(root, '.dist-build');

function fail(message) {
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

// Taken before compiling: a file edited meanwhile leaves dist/ stale, as it is.
const digest = sourceDigest(root);
if (process.argv.includes('--if-stale') && builtDigest(root) === digest) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  fail('compiling needs the development dependencies (TypeScript): run `npm install`, not `npm install --omit=dev`');
}
const started = Date.now();
process.stderr.write('build: compiling the sources into dist/\n');
rmSync(out, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });
if (compiled.status !== 0) fail('tsc found the errors above; dist/ is left as it was');

const outside = readdirSync(out).filter((dir) => !SOURCE_DIRS.includes(dir));
if (outside.length > 0) {
  fail(
    `the CLI now imports ${outside.map((d) => `${d}/`).join(', ')}, which SOURCE_DIRS in scripts/source-stamp.mjs does not list: add it there, so a change in it makes dist/ stale`,
  );
}
// Every file that is not TypeScript is an asset. The .mjs beside the sources is the tsx shim
// of the processor thread (cli/processor-thread/worker.mjs), which compiled code does without.
for (const dir of SOURCE_DIRS.filter((d) => existsSync(join(root, d)))) {
  cpSync(join(root, dir), join(out, dir), { recursive: true, filter: (src) => !/\.(ts|mjs)$/.test(src) });
}
cpSync(join(root, 'package.json'), join(out, 'package.json'));
writeFileSync(join(out, STAMP_FILE), `${JSON.stringify({ sources: digest }, null, 2)}\n`);

rmSync(dist, { recursive: true, force: true });
renameSync(out, dist);
process.stderr.write(`build: dist/ is ready (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
