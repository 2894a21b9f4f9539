/**
 * The two shapes of a log line. JSON for shippers (Loki, journald, Vector,
 * Elasticsearch): one object a line, keys named as pino names them (`time`,
 * `level`, `msg`) so the usual parsers read it without configuration, the
 * level as a word. Pretty for a person at a terminal: the time, the level
 * (coloured only on a terminal), the message, then the fields as JSON.
 * Either way what the line holds has its control characters escaped
 * (escape-controls.ts): a value from traffic cannot start a line of its own
 * or send a terminal an escape sequence; only the level's colour is ours.
 */
import { escapeControls } from './escape-controls.ts';

export type LineLevel = 'debug' | 'info' | 'warn' | 'error';

/** What identifies the writer: the command it runs (`role`) and, on the processor's own thread, `thread`. */
export interface LogContext {
  role?: string;
  thread?: string;
}

export interface LogRecord {
  time: Date;
  level: LineLevel;
  msg: string;
  context: LogContext;
  /** Already made loggable (log-fields.ts). */
  fields?: Record<string, unknown>;
}

export function jsonLine(r: LogRecord): string {
  const line: Record<string, unknown> = { time: r.time.toISOString(), level: r.level, msg: r.msg, ...r.context, pid: process.pid };
  // A field named like one of the line's own keys is kept beside it rather than overwriting it.
  for (const [k, v] of Object.entries(r.fields ?? {})) line[Object.hasOwn(line, k) ? `field_${k}` : k] = v;
  // JSON.stringify leaves DEL, the C1 controls, U+2028/9 and the bidi controls as they are; escaped, still the same JSON.
  return escapeControls(JSON.stringify(line));
}

// SGR colours (ECMA-48): grey, green, yellow, red.
const COLOURS: Record<LineLevel, number> = { debug: 90, info: 32, warn: 33, error: 31 };

export function prettyLine(r: LogRecord, colour: boolean): string {
  const label = r.level.padEnd(5);
  const level = colour ? `\x1b[${COLOURS[r.level]}m${label}\x1b[39m` : label;
  // The role is the command just typed; the thread is worth saying.
  const fields = { ...(r.context.thread ? { thread: r.context.thread } : {}), ...r.fields };
  const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
  return `${r.time.toISOString()} ${level} ${escapeControls(`${r.msg}${extra}`)}`;
}
