/** The configuration a command runs with (environment and flags, common/config.ts), and the logger it sets up. */
import { SETTINGS, configFromCommandLine, type Config } from '../common/config.ts';
import { configureLog } from '../common/log.ts';

export function commandConfig(flags: string[]): Config {
  const config = configFromCommandLine(flags);
  configureLog({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    // The command cli/main.ts dispatched on (node, script, command, …flags): which role wrote a line.
    context: { role: process.argv[2] },
    secrets: secretValues(config),
  });
  return config;
}

/** The values of settings marked secret (INGEST_TOKEN may list several), which no log line may show. */
function secretValues(config: Config): string[] {
  return (Object.keys(SETTINGS) as (keyof Config)[])
    .filter((key) => (SETTINGS[key] as { secret?: boolean }).secret)
    .flatMap((key) => String(config[key]).split(','))
    .map((s) => s.trim());
}
