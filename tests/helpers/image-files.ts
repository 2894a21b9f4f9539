/**
 * The files of an image as its Dockerfile makes them, without Docker: each
 * stage's WORKDIR is a folder of its own; COPY copies from the build context
 * (less what .dockerignore leaves out) or from an earlier stage; `RUN npm run …`
 * runs for real. Two steps are stood in for, since they need a registry or
 * root: `npm ci` links, from this checkout's node_modules, the packages the
 * lock file installs (with --omit=dev only the production ones, so the code
 * cannot load a package the image would lack), and the data folder's
 * mkdir/chown, for which the test gives DATA_DIR a temporary folder.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Copy, Stage } from './dockerfile.ts';

export interface BuiltStage {
  stage: Stage;
  dir: string;
}

/** Plain paths only (the project's .dockerignore): a pattern leaves out that path and all below it. */
function dockerignore(context: string): (path: string) => boolean {
  const file = join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const odd = patterns.filter((p) => /[*?[\]!]/.test(p));
  if (odd.length > 0) throw new Error(`.dockerignore: ${odd.join(', ')}: only plain paths are followed by tests/helpers/image-files.ts`);
  const plain = patterns.map((p) => p.replace(/^\/+|\/+$/g, ''));
  return (path) => plain.some((p) => path === p || path.startsWith(`${p}/`));
}

/** A path of the image (absolute, or relative to WORKDIR) as a path under the stage's folder. */
function inStage(built: BuiltStage, path: string): string {
  const abs = posix.resolve(built.stage.workdir, path);
  const rel = posix.relative(built.stage.workdir, abs);
  if (rel.startsWith('..')) throw new Error(`${path} is outside WORKDIR ${built.stage.workdir}: not followed here`);
  return join(built.dir, rel);
}

/** `npm ci [--omit=dev]`: what the lock file installs, linked from this checkout's node_modules. */
function npmCi(context: string, dir: string, omitDev: boolean): void {
  if (!omitDev) return void symlinkSync(join(context, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean }>;
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1];
    if (!name || entry.dev) continue;
    const installed = join(context, 'node_modules', name);
    if (!existsSync(installed)) {
      if (entry.optional) continue; // another platform's binary
      throw new Error(`${name} is in package-lock.json but not in node_modules: run npm ci`);
    }
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(installed, join(dir, 'node_modules', name), 'dir');
  }
}

function run(command: string, built: BuiltStage, context: string): void {
  const ci = /^npm ci( .*)?$/.exec(command);
  if (ci) {
    npmCi(context, built.dir, / --omit=dev\b/.test(command));
    return;
  }
  if (/^npm run [a-z:-]+$/.test(command)) {
    const done = spawnSync(command, { cwd: built.dir, shell: true, encoding: 'utf8', env: { ...process.env, ...built.stage.env } });
    if (done.status !== 0) throw new Error(`RUN ${command} failed (${done.status}):\n${done.stdout}${done.stderr}`);
    return;
  }
  const dataDir = /^mkdir -p (\S+) && chown \S+ (\S+)$/.exec(command);
  if (dataDir && dataDir[1] === dataDir[2] && dataDir[1] === built.stage.env.DATA_DIR) return; // the test's own DATA_DIR stands in
  throw new Error(`RUN ${command}: tests/helpers/image-files.ts does not know how to follow it; teach it`);
}

function copy(step: Copy, built: BuiltStage, context: string, earlier: BuiltStage[], ignored: (path: string) => boolean): void {
  const from = step.from === undefined ? undefined : earlier.find((b) => b.stage.name === step.from);
  if (step.from !== undefined && !from) throw new Error(`COPY --from=${step.from}: no earlier stage of that name`);
  const dest = inStage(built, step.dest);
  for (const source of step.sources) {
    const path = from ? inStage(from, source) : join(context, source);
    const rel = relative(context, path);
    if (!from && rel !== '' && ignored(rel)) throw new Error(`COPY ${source}: .dockerignore leaves it out of the build context`);
    if (!existsSync(path)) throw new Error(`COPY ${source}: not in ${from ? `stage ${from.stage.name}` : 'the build context'}`);
    const isDir = statSync(path).isDirectory();
    // A folder's contents go into dest; a file goes into dest/ when dest is a folder (trailing / or several sources).
    const target = isDir || !(step.dest.endsWith('/') || step.sources.length > 1) ? dest : join(dest, basename(source));
    const filter = from
      ? undefined
      : (p: string) => {
          const r = relative(context, p);
          return r === '' || !ignored(r);
        };
    cpSync(path, target, { recursive: true, ...(filter ? { filter } : {}) });
  }
}

/** Builds every stage of `stages` under `into`, from the build context `context`. */
export function buildImage(context: string, stages: Stage[], into: string): BuiltStage[] {
  const ignored = dockerignore(context);
  const built: BuiltStage[] = [];
  for (const [i, stage] of stages.entries()) {
    const b = { stage, dir: join(into, `stage-${i}-${stage.name}`) };
    mkdirSync(b.dir, { recursive: true });
    for (const step of stage.steps) {
      if ('run' in step) run(step.run, b, context);
      else copy(step.copy, b, context, built, ignored);
    }
    built.push(b);
  }
  return built;
}
