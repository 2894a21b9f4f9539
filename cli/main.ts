/**
 * `scalehouse <command>`: one CLI for every job. Errors are printed as one
 * clear message (no stack trace) and exit non-zero.
 */
import { ConfigError, ScalehouseError, errorMessage } from '../common/errors.ts';
import { commandHelpText, helpText, isCommand, type CommandName } from './help.ts';
import { version } from './version.ts';
import { randomBytes } from 'node:crypto';
import { tokenDigest } from '../common/token-digest.ts';

// Each command's module is loaded when it runs: `--version` and `--help` load none of them.
const commands: Record<CommandName, (args: string[]) => Promise<void>> = {
  start: async (args) => (await import('./commands/start.ts')).start(args),
  collector: async (args) => (await import('./commands/start.ts')).collector(args),
  processor: async (args) => (await import('./commands/start.ts')).processor(args),
  dashboard: async (args) => (await import('./commands/start.ts')).dashboard(args),
  alerts: async (args) => (await import('./commands/start.ts')).alerts(args),
  migrate: async (args) => (await import('./commands/migrate.ts')).migrateCommand(args),
  replay: async (args) => (await import('./commands/replay.ts')).replayCommand(args),
  tail: async (args) => (await import('./commands/tail.ts')).tailCommand(args),
  explain: async (args) => (await import('./commands/explain.ts')).explainCommand(args),
  'compose-env': async (args) => (await import('./commands/compose-env.ts')).composeEnvCommand(args),
  help: async ([topic]) => {
    if (topic !== undefined && !isCommand(topic))
      throw new ScalehouseError(`there is no command "${topic}": \`scalehouse help\` lists them`);
    process.stdout.write(topic === undefined ? helpText() : commandHelpText(topic));
  },
  version: async () => void process.stdout.write(`scalehouse ${version()}\n`),
  // A new API token for /api/stats: the token for the client, its digest for DASHBOARD_TOKENS.
  token: async () => {
    const token = randomBytes(24).toString('base64url');
    process.stdout.write(
      `token:  ${token}\ndigest: ${tokenDigest(token)}\n` +
        'Give the token to the client ("Authorization: Bearer <token>"); add the digest to DASHBOARD_TOKENS.\n',
    );
  },
};

// Everything this process creates — DATA_DIR, bus segments, secrets, the embedded engine's files
// (salts among them) — is readable by its owner only.
process.umask(0o077);

const ALIASES: Record<string, CommandName> = { '--help': 'help', '-h': 'help', '--version': 'version', '-v': 'version' };
const [given = 'help', ...args] = process.argv.slice(2);
const name = ALIASES[given] ?? given;

if (!isCommand(name)) {
  process.stderr.write(`scalehouse: unknown command "${given}"\n\n${helpText()}`);
  process.exit(2);
}

try {
  // `COMMAND --help` shows what the command takes and starts nothing.
  if (args.includes('--help') || args.includes('-h')) process.stdout.write(commandHelpText(name));
  else await commands[name](args);
} catch (err) {
  const known = err instanceof ScalehouseError;
  process.stderr.write(`scalehouse ${name}: ${errorMessage(err)}\n`);
  if (!known) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
