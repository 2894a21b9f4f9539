/**
 * `scalehouse compose-env`, as a newcomer runs it before `docker compose up`:
 * the real CLI in a child process. What it writes is checked against
 * compose.yaml itself — every variable compose interpolates, found in the
 * parsed file — and resolved the way compose resolves it, into settings each
 * role accepts (common/config.ts). No Docker engine here: `docker compose
 * config` checks it too where the client has the compose plugin.
 */
import { describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { loadConfig } from '../../common/config.ts';
import { COMPOSE_VARIABLES } from '../../cli/compose-env.ts';
import { sessionKey } from '../../dashboard/auth/session.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(repo, 'bin/scalehouse.mjs');
const composeText = readFileSync(join(repo, 'compose.yaml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, { image?: string; environment?: Record<string, string> }>;
};
const temp = tempDir('compose-env');

// ${NAME}, ${NAME:?message} and ${NAME?message} stop compose when NAME is unset; ${NAME:-default} and ${NAME-default} do not
// (Compose Specification, "Interpolation").
const REFERENCE = /\$\{(\w+)(?:(:?[?-])([^}]*))?\}/g;

function strings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node && typeof node === 'object') return Object.values(node).flatMap(strings);
  return [];
}

/** The variables compose.yaml reads: those it cannot start without, and those with a default. */
function composeVariables(): { required: Set<string>; optional: Set<string> } {
  const required = new Set<string>();
  const optional = new Set<string>();
  for (const text of strings(compose)) {
    for (const [, name, op] of text.matchAll(REFERENCE)) (op === undefined || op.endsWith('?') ? required : optional).add(name!);
  }
  return { required, optional };
}

/** `text` as compose interpolates it with `env`: the names of required variables it lacks, and the value. */
function interpolate(text: string, env: Record<string, string>, missing: string[]): string {
  return text.replace(REFERENCE, (_, name: string, op: string | undefined, rest: string) => {
    const value = env[name];
    if (op === undefined || op.endsWith('?')) {
      if (!value) missing.push(name);
      return value ?? '';
    }
    return op === ':-' ? value || rest : (value ?? rest);
  });
}

async function composeEnv(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [BIN, 'compose-env', ...args], { cwd: temp }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

/** The KEY=value lines of a .env file (comments and blank lines left out). */
function readEnv(text: string): Record<string, string> {
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

const secretNames = COMPOSE_VARIABLES.filter((v) => 'secret' in v.source).map((v) => v.name);

describe('scalehouse compose-env', () => {
  it('names every variable compose.yaml reads: sets each it needs, shows each optional one commented', async () => {
    const { required, optional } = composeVariables();
    // Only ${…} references are read above: a bare $NAME would slip past them.
    expect(composeText.match(/\$(?!\{)\w+/g) ?? []).toEqual([]);
    expect([...required].sort()).toEqual(
      expect.arrayContaining(['CLICKHOUSE_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'INGEST_TOKEN', 'SITES']),
    );
    expect(COMPOSE_VARIABLES.map((v) => v.name).sort()).toEqual([...required, ...optional].sort());

    const { code, stdout } = await composeEnv('--sites', 'example.com,Blog.Example.com');
    expect(code).toBe(0);
    const env = readEnv(stdout);
    expect(Object.keys(env).sort()).toEqual([...required].sort());
    for (const name of required) expect(env[name], name).toMatch(/^\S+$/);
    expect(env.SITES).toBe('example.com,blog.example.com');
    for (const name of optional) expect(stdout, name).toMatch(new RegExp(`^#${name}=`, 'm'));
    // Each is explained where the file is (docs/operations.md, "Running it").
    const operations = readFileSync(join(repo, 'docs/operations.md'), 'utf8');
    for (const name of [...required, ...optional]) expect(operations, name).toContain(`\`${name}\``);
  });

  it("writes a file that stays out of git and out of the image's build context", () => {
    for (const ignore of ['.gitignore', '.dockerignore'])
      expect(readFileSync(join(repo, ignore), 'utf8').split('\n'), ignore).toContain('.env');
  });

  it('resolves compose.yaml with nothing missing, into settings every role accepts', async () => {
    const env = readEnv((await composeEnv()).stdout);
    const missing: string[] = [];
    const resolved = structuredClone(compose);
    for (const service of Object.values(resolved.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {}))
        service.environment![key] = interpolate(String(value), env, missing);
    }
    expect(missing).toEqual([]);
    const roles = Object.entries(resolved.services).filter(([, s]) => s.image === 'scalehouse:local');
    expect(roles).toHaveLength(5);
    for (const [name, s] of roles) expect(() => loadConfig(s.environment!), name).not.toThrow();
    // Each ClickHouse user's password is the one the server gets for it, and none is another's.
    const server = resolved.services.clickhouse!.environment!;
    expect(resolved.services.collector!.environment!.CLICKHOUSE_PASSWORD).toBe(server.SCALEHOUSE_COLLECTOR_PASSWORD);
    expect(resolved.services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toBe(env.GRAFANA_ADMIN_PASSWORD);
    // The dashboard signs cookies with the key of .env (not one made in its container), in a form its check accepts.
    const dashboard = resolved.services.dashboard!.environment!;
    expect(dashboard.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(dashboard.SESSION_SECRET).toBe(env.SESSION_SECRET);
    expect(loadConfig(dashboard).SESSION_SECRET).toBe(env.SESSION_SECRET);
    expect((await sessionKey(loadConfig(dashboard).SESSION_SECRET, join(temp, 'never-used'))).toString()).toBe(env.SESSION_SECRET);
  });

  it('makes every secret fresh and strong: new on each run, unlike each other, and nothing .env would read as syntax', async () => {
    const [a, b] = await Promise.all([composeEnv(), composeEnv()]);
    const first = readEnv(a.stdout);
    const second = readEnv(b.stdout);
    expect(secretNames).toHaveLength(10);
    for (const name of secretNames) {
      // 32 random bytes in hex, or 18 in base64url for the two a person types (≥ 12 characters, config.ts).
      const shape = /^(DASHBOARD|GRAFANA_ADMIN)_PASSWORD$/.test(name) ? /^[A-Za-z0-9_-]{24}$/ : /^[0-9a-f]{64}$/;
      expect(first[name], name).toMatch(shape);
      expect(second[name], name).toMatch(shape);
      expect(second[name], name).not.toBe(first[name]);
    }
    expect(new Set(secretNames.map((n) => first[n])).size).toBe(secretNames.length);
    // Standard error (shown while standard output goes to the file) names no secret.
    for (const name of secretNames) expect(a.stderr).not.toContain(first[name]);
    expect(a.stderr).toContain('SITES=example.com: put your own sites');
  });

  it('--out makes a file only its owner reads, and never writes over one that exists', async () => {
    const file = join(temp, 'first.env');
    const made = await composeEnv('--sites', 'example.com', '--out', file);
    expect(made).toEqual({ code: 0, stdout: '', stderr: `wrote ${file}; next: docker compose up -d --build\n` });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Object.keys(readEnv(readFileSync(file, 'utf8')))).toEqual(expect.arrayContaining(secretNames));

    const kept = join(temp, 'kept.env');
    writeFileSync(kept, 'CLICKHOUSE_PASSWORD=already-in-the-volume\n');
    const again = await composeEnv('--out', kept);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${kept} exists: it is left as it is`);
    expect(readFileSync(kept, 'utf8')).toBe('CLICKHOUSE_PASSWORD=already-in-the-volume\n');
  });

  it('refuses options it does not know and sites that are not host names', async () => {
    expect(await composeEnv('--sites', 'example.com,not a site')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('not not a site'),
    });
    expect(await composeEnv('--sites=')).toMatchObject({ code: 1, stdout: '' });
    expect(await composeEnv('--force')).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('unknown option --force') });
  });

  // script(1) (util-linux) runs the command on a pseudo-terminal of its own: a real terminal on standard output.
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  it.skipIf(script.status !== 0)('shows no secret on a terminal: it says how to write the file instead', () => {
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${BIN}" compose-env`, '/dev/null'], {
      cwd: temp,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('not shown on a terminal: write it with `scalehouse compose-env --out .env`');
    expect(run.stdout).not.toMatch(/PASSWORD=|INGEST_TOKEN=/);
  });

  // `docker compose config` resolves and checks the file client-side, without an engine — where the plugin is installed.
  const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const noPlugin = plugin.status === 0 ? '' : ' (skipped: `docker compose version` fails here, the docker client has no compose plugin)';
  it.skipIf(noPlugin !== '')(`passes \`docker compose config\` with the file it writes${noPlugin}`, async () => {
    const file = join(temp, 'docker.env');
    expect((await composeEnv('--out', file)).code).toBe(0);
    const run = spawnSync('docker', ['compose', '-f', join(repo, 'compose.yaml'), '--env-file', file, 'config', '--quiet'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const bare = spawnSync('docker', ['compose', '-f', join(repo, 'compose.yaml'), '--env-file', '/dev/null', 'config', '--quiet'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bare.stderr).toContain('compose-env');
  });
});
