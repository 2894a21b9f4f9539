/** The configuration a command runs with (environment and flags, common/config.ts), and the log level it sets. */
import { configFromCommandLine, type Config } from '../common/config.ts';
import { setLogLevel } from '../common/log.ts';

export function commandConfig(flags: string[]): Config {
  const config = configFromCommandLine(flags);
  setLogLevel(config.LOG_LEVEL);
  return config;
}
