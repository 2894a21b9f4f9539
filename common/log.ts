/**
 * Minimal levelled logger writing one line per message to stderr, so stdout
 * stays free for command output (replay summaries, `migrate` results). The
 * level is set from the configuration (LOG_LEVEL) by each command; until
 * then it is "info".
 */
const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof levels;

let threshold: number = levels.info;

export function setLogLevel(level: LogLevel): void {
  threshold = levels[level];
}

function write(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
  if (levels[level] < threshold) return;
  const extra = fields ? ' ' + JSON.stringify(fields) : '';
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${msg}${extra}\n`);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
