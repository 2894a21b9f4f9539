/**
 * The logger: one line per message on stderr, so stdout stays free for
 * command output (replay summaries, `migrate` results). JSON lines for log
 * shippers, readable lines at a terminal (LOG_FORMAT, log-line.ts); fields
 * are made safe to write first (log-fields.ts). Each command configures it
 * from its settings (cli/command-config.ts); until then: info, auto.
 *
 * Why not pino: Scalehouse logs a few lines per batch, never per hit, so
 * pino's speed buys nothing here, while what we need of it would not come
 * free: its JSON is this file's `JSON.stringify` with the same key names
 * (`time`, `level`, `msg`, so pino's tools still read our lines); the
 * readable mode needs pino-pretty (or re-parsing our own JSON); its
 * redaction takes paths (`a.b.password`), not a secret's name at any depth;
 * its error serializer always writes the stack, which we keep for debug. It
 * would add eleven packages to a self-hosted product for about sixty lines.
 */
import { loggable, redactText, type Redaction } from './log-fields.ts';
import { jsonLine, prettyLine, type LineLevel, type LogContext } from './log-line.ts';

export type { LogContext } from './log-line.ts';

const levels = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof levels;
export type LogFormat = 'json' | 'pretty';

/** Everything the logger of a thread needs; the processor thread gets its starting thread's (cli/processor-thread/). */
export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
  colour: boolean;
  context: LogContext;
  /** Configured secrets, masked wherever they would appear. */
  secrets: string[];
}

// Masking a value of a few characters would mask ordinary words in every line.
const MIN_SECRET_LENGTH = 6;

// A worker thread's stderr is a pipe to its parent, never a terminal: it must be told (LogSettings).
const onTerminal = (): boolean => Boolean(process.stderr.isTTY);

let settings: LogSettings = { level: 'info', format: onTerminal() ? 'pretty' : 'json', colour: onTerminal(), context: {}, secrets: [] };

/** `format: 'auto'` is pretty on a terminal and JSON otherwise (a file, a pipe, journald, a container's log). */
export function configureLog(opts: Partial<Omit<LogSettings, 'format'>> & { format?: LogFormat | 'auto' }): void {
  const format = opts.format === 'auto' ? (onTerminal() ? 'pretty' : 'json') : (opts.format ?? settings.format);
  settings = {
    ...settings,
    ...opts,
    format,
    colour: opts.colour ?? (format === 'pretty' && onTerminal()),
    secrets: (opts.secrets ?? settings.secrets).filter((s) => s.length >= MIN_SECRET_LENGTH),
  };
}

export function logSettings(): LogSettings {
  return structuredClone(settings);
}

function write(level: LineLevel, msg: string, fields?: Record<string, unknown>): void {
  if (levels[level] < levels[settings.level]) return;
  const r: Redaction = { stacks: settings.level === 'debug', secrets: settings.secrets };
  const record = {
    time: new Date(),
    level,
    msg: redactText(msg, r),
    context: settings.context,
    fields: fields && (loggable(fields, r) as Record<string, unknown>),
  };
  process.stderr.write(`${settings.format === 'json' ? jsonLine(record) : prettyLine(record, settings.colour)}\n`);
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
