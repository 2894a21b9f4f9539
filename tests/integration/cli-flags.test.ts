/**
 * `scalehouse --version` and `scalehouse COMMAND --help`, as a user types
 * them: the real CLI in a child process. Help starts nothing — the data
 * folder it is given is never made — and exits 0.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { COMMAND_HELP, type CommandName } from '../../cli/help.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const temp = mkdtempSync(join(tmpdir(), 'scalehouse-cli-flags-'));
const dataDir = join(temp, 'never-made');
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function scalehouse(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATA_DIR: dataDir, KAFKA_BROKERS: '', PORT: '1', SYSLOG_PORT: '0' };
  return promisify(execFile)(process.execPath, [BIN, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

const commands = Object.keys(COMMAND_HELP) as CommandName[];

describe('scalehouse --version', () => {
  it.each(['--version', '-v', 'version'])('%s prints the version of package.json', async (flag) => {
    expect(await scalehouse(flag)).toEqual({ code: 0, stdout: `scalehouse ${version}\n`, stderr: '' });
  });
});

describe('scalehouse COMMAND --help', () => {
  it('answers for every command, with its usage line, and starts nothing', async () => {
    const answers = await Promise.all(commands.map(async (name) => [name, await scalehouse(name, '--help')] as const));
    for (const [name, { code, stdout, stderr }] of answers) {
      expect({ name, code, stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: scalehouse ${name}\\b`));
      expect(stdout).toContain(COMMAND_HELP[name].summary);
    }
    expect(existsSync(dataDir), 'a command run with --help made DATA_DIR').toBe(false);
  });

  it('lists the options of a command that has them, and says the same for -h and `help COMMAND`', async () => {
    const help = await scalehouse('tail', '--help');
    for (const option of ['--site NAME', '--to URL', '--token TOKEN', '--from-end']) expect(help.stdout).toContain(`  ${option}`);
    expect(await scalehouse('tail', 'access.log', '-h')).toEqual(help);
    expect(await scalehouse('help', 'tail')).toEqual(help);
  });

  it('refuses help for a command that does not exist, saying where the list is', async () => {
    const answer = await scalehouse('help', 'stats');
    expect(answer.code).toBe(1);
    expect(answer.stderr).toBe('scalehouse help: there is no command "stats": `scalehouse help` lists them\n');
  });
});
