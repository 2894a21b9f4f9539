/**
 * `npm run build:snippet`: snippet/scalehouse.js (the readable source) minified
 * into snippet/scalehouse.min.js, which is committed and which the collector
 * serves as /scalehouse.js. Built here, not at run time: production runs dist/
 * with production dependencies only, and esbuild is a development one.
 * tests/unit/snippet-build.test.ts fails when the committed file is not what
 * this makes of the source, so the two cannot drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

export const SNIPPET_SOURCE = new URL('../snippet/scalehouse.js', import.meta.url);
export const SNIPPET_MINIFIED = new URL('../snippet/scalehouse.min.js', import.meta.url);

// Browsers of 2019 on (optional catch binding, keepalive fetch): the minifier may use their syntax, no later.
const TARGET = ['chrome80', 'edge80', 'firefox72', 'safari13.1'];

/**
 * The minified snippet, as esbuild makes it from the source. The source's licence comment is left
 * out (legalComments: none): 60 bytes of the 1,024 gzipped the snippet may weigh; the collector
 * serves the source, licence and all, beside it (/scalehouse.src.js).
 */
export async function buildSnippet(): Promise<string> {
  const source = readFileSync(SNIPPET_SOURCE, 'utf8');
  const { code } = await transform(source, { minify: true, target: TARGET, legalComments: 'none', charset: 'utf8' });
  return code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = await buildSnippet();
  writeFileSync(SNIPPET_MINIFIED, code);
  process.stdout.write(`build:snippet: ${fileURLToPath(SNIPPET_MINIFIED)} (${Buffer.byteLength(code)} bytes)\n`);
}
