/**
 * What `scalehouse help` and `scalehouse COMMAND --help` print. Every command
 * of cli/main.ts has its entry here (main.ts's table is typed by these names).
 */
import { SETTINGS } from '../common/config.ts';

interface CommandHelp {
  /** What follows the command name on the usage line. */
  args?: string;
  summary: string;
  /** The command's own options, besides the settings. */
  options?: Record<string, string>;
  /** Whether settings (environment, or flags such as --port 9000) change what it does. */
  settings: boolean;
}

const SITE = { '--site NAME': 'the site the lines are for (a lowercase host name; default: default)' };

export const COMMAND_HELP = {
  start: { summary: 'Run collector, processor and ClickHouse in one process (embedded mode).', settings: true },
  collector: { summary: 'Distributed mode: only the HTTP intake, writing to Kafka (needs KAFKA_BROKERS).', settings: true },
  processor: { summary: 'Distributed mode: only the Kafka consumer loading ClickHouse (needs KAFKA_BROKERS).', settings: true },
  dashboard: { summary: 'Only the web UI and query API, reading ClickHouse (CLICKHOUSE_URL).', settings: true },
  alerts: { summary: 'Distributed mode: only the alert evaluator, reading ClickHouse (CLICKHOUSE_URL); run one.', settings: true },
  migrate: { summary: 'Apply the ClickHouse migrations and exit.', settings: true },
  replay: { args: 'FILE...', summary: 'Import historical access logs (plain or .gz).', options: SITE, settings: true },
  tail: {
    args: 'FILE...',
    summary: 'Follow live access logs through rotation and restarts.',
    options: {
      ...SITE,
      '--to URL': 'post the lines to a running collector instead of loading ClickHouse here',
      '--token TOKEN': "the collector's ingest token, with --to (default: INGEST_TOKEN)",
      '--from-end': 'skip what the files hold now; follow what is written from here on',
    },
    settings: true,
  },
  explain: {
    args: '[FILE|-]',
    summary:
      'Print, one JSON object per line, what the pipeline makes of each access-log line (or beacon JSON):\n' +
      'fields, browser, bot verdict, channel, pageview, session. Reads standard input without FILE.',
    options: SITE,
    settings: true,
  },
  'compose-env': {
    summary:
      'Write the .env that compose.yaml needs, with fresh random secrets, to --out FILE (made owner-only,\n' +
      'never over an existing file) or to standard output (never to a terminal).',
    options: {
      '--sites LIST': 'the sites the collectors take hits for, comma-separated (default: example.com)',
      '--out FILE': 'create FILE (e.g. .env) instead of writing to standard output',
    },
    settings: false,
  },
  token: { summary: 'Make an API token for /api/stats (prints the token and the digest for DASHBOARD_TOKENS).', settings: false },
  version: { summary: 'Print the version of Scalehouse (also --version, -v).', settings: false },
  help: { args: '[COMMAND]', summary: 'Show this text, or what one command takes (also COMMAND --help).', settings: false },
} satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMAND_HELP;

const usage = (name: string, h: CommandHelp) =>
  `scalehouse ${name}${h.args ? ` ${h.args}` : ''}${h.options ? ' [options]' : ''}${h.settings ? ' [--setting value]...' : ''}`;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_HELP, name);
}

export function helpText(): string {
  const commands = Object.entries(COMMAND_HELP as Record<CommandName, CommandHelp>)
    .map(([name, h]) => `  ${`${name}${h.args ? ` ${h.args}` : ''}`.padEnd(21)} ${h.summary.replaceAll('\n', `\n${' '.repeat(24)}`)}`)
    .join('\n');
  const settings = Object.entries(SETTINGS)
    .map(([key, s]) => `  ${key.padEnd(24)} ${s.describe} (default: ${s.default === '' ? 'empty' : s.default})`)
    .join('\n');
  return `Usage: scalehouse <command> [options]
       scalehouse <command> --help     what one command takes
       scalehouse --version

Commands:
${commands}

Settings (environment variables, or flags: --port 9000 sets PORT):
${settings}
`;
}

export function commandHelpText(name: CommandName): string {
  const h: CommandHelp = COMMAND_HELP[name];
  const options = Object.entries(h.options ?? {}).map(([flag, what]) => `  ${flag.padEnd(16)} ${what}`);
  return [
    `Usage: ${usage(name, h)}`,
    '',
    h.summary,
    ...(options.length ? ['', 'Options:', ...options] : []),
    ...(h.settings ? ['', 'Settings: any of `scalehouse help`, from the environment or as a flag (--port 9000 sets PORT).'] : []),
    '',
  ].join('\n');
}
