/**
 * `scalehouse <command>`: one CLI for every job. Errors are printed as one
 * clear message (no stack trace) and exit non-zero.
 */
import { ConfigError, ScalehouseError, errorMessage } from '../common/errors.ts';
import { collector, dashboard, processor, start } from './commands/start.ts';
import { migrateCommand } from './commands/migrate.ts';
import { replayCommand } from './commands/replay.ts';
import { tailCommand } from './commands/tail.ts';
import { explainCommand } from './commands/explain.ts';
import { helpText } from './help.ts';
import { createHash, randomBytes } from 'node:crypto';

const commands: Record<string, (args: string[]) => Promise<void>> = {
  start,
  collector,
  processor,
  dashboard,
  migrate: migrateCommand,
  replay: replayCommand,
  tail: tailCommand,
  explain: explainCommand,
  help: async () => void process.stdout.write(helpText()),
  // A new API token for /api/stats: the token for the client, its digest for DASHBOARD_TOKENS.
  token: async () => {
    const token = randomBytes(24).toString('base64url');
    process.stdout.write(`token:  ${token}\ndigest: ${createHash('sha256').update(token).digest('hex')}\n` +
      'Give the token to the client ("Authorization: Bearer <token>"); add the digest to DASHBOARD_TOKENS.\n');
  },
};

// Everything this process creates — DATA_DIR, bus segments, secrets, the embedded engine's files
// (salts among them) — is readable by its owner only.
process.umask(0o077);

const [name = 'help', ...args] = process.argv.slice(2);
const command = commands[name === '--help' || name === '-h' ? 'help' : name];

if (!command) {
  process.stderr.write(`scalehouse: unknown command "${name}"\n\n${helpText()}`);
  process.exit(2);
}

try {
  await command(args);
} catch (err) {
  const known = err instanceof ScalehouseError;
  process.stderr.write(`scalehouse ${name}: ${errorMessage(err)}\n`);
  if (!known) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
