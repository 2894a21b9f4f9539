/**
 * What dist/ is built from, as one digest: every file of the folders the build
 * compiles or copies, and the files that steer the build. The build keeps the
 * digest of the sources it compiled in dist/build-stamp.json; a checkout runs
 * dist/ only while the two are equal (scripts/run-checkout.mjs).
 *
 * Contents, not modification times: a `git checkout`, `touch` or `cp -p` that
 * changes or keeps times decides nothing, and a file added or deleted (a new
 * migration) changes the digest as an edit does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The folders whose code and assets production runs. scripts/build.mjs refuses
 * to finish when tsc compiled a file outside them, so a folder the CLI starts to
 * import cannot escape the digest unnoticed. snippet/ has no TypeScript: the
 * collector reads the beacon from it by path.
 */
export const SOURCE_DIRS = ['alerts', 'bus', 'cli', 'clickhouse', 'collector', 'common', 'dashboard', 'processor', 'server', 'snippet'];
const BUILD_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'scripts/source-stamp.mjs'];
export const STAMP_FILE = 'build-stamp.json';

function filesUnder(root, dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? filesUnder(root, `${dir}/${e.name}`) : [`${dir}/${e.name}`]));
}

/** The digest of the sources under `root` (a path), as dist/ would be built from them now. */
export function sourceDigest(root) {
  const hash = createHash('sha256');
  for (const file of [...BUILD_FILES, ...SOURCE_DIRS.flatMap((d) => filesUnder(root, d))]) {
    const body = readFileSync(join(root, file));
    hash.update(`${file}\0${body.length}\0`).update(body);
  }
  return hash.digest('hex');
}

/** The digest dist/ (under `root`) was built from, or undefined when there is no finished build. */
export function builtDigest(root) {
  try {
    return JSON.parse(readFileSync(join(root, 'dist', STAMP_FILE), 'utf8')).sources;
  } catch (err) {
    // None yet, or one cut short: either way the sources are what to run.
    if (err.code === 'ENOENT' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export const isBuildCurrent = (root) => builtDigest(root) === sourceDigest(root);
