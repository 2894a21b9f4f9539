/**
 * The Docker image, without a Docker engine: its file set is built exactly as
 * the Dockerfile says (every stage's COPY and RUN, the build for real, with
 * .dockerignore; tests/helpers/image-files.ts), then run from that folder as
 * the image runs it — its ENTRYPOINT and ENV, a temporary DATA_DIR, a free
 * PORT. The image once lacked dashboard/, which the CLI imports, and every
 * command in it failed with ERR_MODULE_NOT_FOUND: this is the test that says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDockerfile } from '../helpers/dockerfile.ts';
import { buildImage, type BuiltStage } from '../helpers/image-files.ts';
import { checkReferences } from '../helpers/compiled-references.ts';
import { freePort } from '../helpers/app-process.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'scalehouse-image-'));
const children: ChildProcess[] = [];
let image: BuiltStage;

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(temp, { recursive: true, force: true });
});

beforeAll(() => {
  image = buildImage(repo, readDockerfile(join(repo, 'Dockerfile')), join(temp, 'image')).at(-1)!;
}, 180_000);

/** The environment of a container of the image: its ENV, with a data folder and port of this test's. */
function containerEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: temp,
    TMPDIR: tmpdir(),
    ...image.stage.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    SYSLOG_PORT: '0',
    // Beyond loopback (the image's HOST) a collector needs its sites named, as compose.yaml names them.
    SITES: 'example.com',
  };
}

/** The image's ENTRYPOINT with `args` (its CMD when none), as a command line to spawn in the image's folder. */
function entrypoint(args?: string[]): [string, string[]] {
  const [program, ...rest] = [...image.stage.entrypoint!, ...(args ?? image.stage.cmd!)];
  expect(program, 'the entry point runs node').toBe('node');
  return [process.execPath, rest];
}

function runInImage(args: string[], dataDir = join(temp, 'data')) {
  const [node, argv] = entrypoint(args);
  const done = spawnSync(node, argv, { cwd: image.dir, env: containerEnv(dataDir, 8080), encoding: 'utf8', timeout: 60_000 });
  const hint = /ERR_MODULE_NOT_FOUND|ENOENT/.test(done.stderr)
    ? " — a file the code needs is not in the image: see the Dockerfile's COPY lines and scripts/build.mjs"
    : '';
  return { ...done, why: `scalehouse ${args.join(' ')} exited ${done.status}${hint}:\n${done.stdout}${done.stderr}` };
}

describe('the Docker image (its file set, built and run without Docker)', () => {
  it('holds compiled JavaScript and its assets: no TypeScript, no tsx; a non-root user, /data a volume', () => {
    const top = readdirSync(image.dir).sort();
    expect(top).toEqual(['bin', 'dist', 'node_modules', 'package-lock.json', 'package.json']);
    const files = readdirSync(join(image.dir, 'dist'), { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => /\.(ts|mts)$/.test(f))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'cli/main.js',
        'cli/processor-thread/worker.js',
        'clickhouse/migrations/0001_events.sql',
        'dashboard/ui/index.html',
        'snippet/scalehouse.js',
      ]),
    );
    expect(existsSync(join(image.dir, 'node_modules', 'tsx')), 'tsx is a development dependency').toBe(false);
    expect(image.stage.user).toBe('node');
    expect(image.stage.volumes).toContain(image.stage.env.DATA_DIR);
    expect(image.stage.healthcheck).toMatch(/\/healthz/);
  });

  it('has every file its code imports or reads by a fixed path, and imports production dependencies only', () => {
    const pkg = JSON.parse(readFileSync(join(image.dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(checkReferences(join(image.dir, 'dist'), Object.keys(pkg.dependencies))).toEqual({ missing: [], notProduction: [] });
    // The same check sees the bug this test is for: the image without dashboard/.
    const broken = join(temp, 'broken');
    cpSync(join(image.dir, 'dist'), broken, { recursive: true, filter: (p) => !p.includes('/dist/dashboard') });
    expect(checkReferences(broken, Object.keys(pkg.dependencies)).missing).toContain('cli/commands/start.js → dashboard/routes.js');
  });

  it('answers help, COMMAND --help and --version', () => {
    const help = runInImage(['help']);
    expect(help.status, help.why).toBe(0);
    expect(help.stdout).toMatch(/^Usage: scalehouse <command>/);
    const startHelp = runInImage(['start', '--help']);
    expect(startHelp.status, startHelp.why).toBe(0);
    expect(startHelp.stdout).toMatch(/^Usage: scalehouse start/);
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(runInImage(['--version']).stdout).toBe(`scalehouse ${version}\n`);
  });

  it('migrates its embedded engine: every migration once, then none', () => {
    const dataDir = join(temp, 'migrate');
    const first = runInImage(['migrate'], dataDir);
    expect(first.status, first.why).toBe(0);
    const migrations = readdirSync(join(repo, 'clickhouse', 'migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(first.stdout).toContain(`applied: ${migrations.join(', ')}\n`);
    const again = runInImage(['migrate'], dataDir);
    expect(again.status, again.why).toBe(0);
    expect(again.stdout).toContain('schema is up to date\n');
  });

  it('starts as its CMD says, is healthy and ready, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const [node, argv] = entrypoint();
    const child = spawn(node, argv, { cwd: image.dir, env: containerEnv(join(temp, 'start'), port), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const died = exited.then((code) => {
      throw new Error(`the image's start exited with ${code} before it was ready:\n${output}`);
    });
    const answers = (path: string) =>
      Promise.race([
        died,
        waitFor(
          `${path} of the image's start`,
          async () => {
            const status = await fetch(`http://127.0.0.1:${port}${path}`).then(
              (r) => r.status,
              () => undefined,
            );
            return status === 200 ? true : undefined;
          },
          60_000,
        ),
      ]);
    await answers('/healthz');
    await answers('/readyz');
    child.kill('SIGTERM');
    expect(await within("the image's start to exit after SIGTERM", exited), output).toBe(0);
  });
});
