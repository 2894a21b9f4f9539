/**
 * Log lines carrying values from traffic (common/log-line.ts): a CR or LF
 * cannot forge a line, and an escape sequence cannot reach the terminal of
 * whoever reads the log — in the pretty format, message and fields alike, and
 * in JSON, which stays the same JSON. The level's colour is the only escape
 * sequence a line writes.
 */
import { describe, expect, it } from 'vitest';
import { escapeControls } from '../../common/escape-controls.ts';
import { jsonLine, prettyLine, type LogRecord } from '../../common/log-line.ts';

const time = new Date(Date.UTC(2026, 11, 7, 12, 0, 0));
// A path that clears the screen, retitles the window (OSC 0, ended by BEL), starts a forged line, and a
// field with an 8-bit CSI (U+009B), DEL, a line separator and a right-to-left override.
const msg = 'dead letter for /x\x1b[2J\x1b]0;owned\x07 at\r\n2026-12-07T12:00:00.000Z info  all is well';
const fields = { path: '/\x1b[31mred\u009b2J', user_agent: 'a\u2028b\x7f\u202Eexe.txt', tab: 'a\tb' };
const record: LogRecord = { time, level: 'warn', msg, context: { role: 'processor' }, fields };

/** Anything a terminal or a line reader acts on, apart from our own SGR colour codes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what the test looks for
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('log lines with control characters in their values', () => {
  it('show them as escapes in the pretty format, on one line', () => {
    const line = prettyLine(record, false);
    expect(line).toBe(
      '2026-12-07T12:00:00.000Z warn  dead letter for /x\\u001b[2J\\u001b]0;owned\\u0007 at\\r\\n2026-12-07T12:00:00.000Z info  all is well' +
        ' {"path":"/\\u001b[31mred\\u009b2J","user_agent":"a\\u2028b\\u007f\\u202eexe.txt","tab":"a\\tb"}',
    );
    expect(line).not.toMatch(ACTIVE);
  });

  it("keep the level's colour as the only escape sequence on a terminal", () => {
    const line = prettyLine(record, true);
    expect(line.startsWith('2026-12-07T12:00:00.000Z \x1b[33mwarn \x1b[39m dead letter for /x\\u001b[2J')).toBe(true);
    expect(line.replace('\x1b[33m', '').replace('\x1b[39m', '')).not.toMatch(ACTIVE);
  });

  it('stay the same JSON, every value as it was, in the JSON format', () => {
    const line = jsonLine(record);
    expect(line).not.toMatch(ACTIVE);
    expect(JSON.parse(line)).toEqual({ time: time.toISOString(), level: 'warn', msg, role: 'processor', pid: process.pid, ...fields });
  });

  it('leave printable text alone, outside ASCII too', () => {
    const text = 'Café — 東京 /ñ?q=a&b "quoted" \\ back';
    expect(escapeControls(text)).toBe(text);
    expect(prettyLine({ ...record, msg: text, fields: undefined }, false)).toBe(`2026-12-07T12:00:00.000Z warn  ${text}`);
  });
});
