/**
 * Characters that make a terminal or a line-based reader do something rather
 * than show something, written as escapes instead. A logged value can come
 * from traffic (a path, a user agent, a parser's complaint about a line): as
 * written, a CR or LF would start a forged log line, and an ESC sequence
 * (ECMA-48 CSI, OSC…) would move the cursor, repaint the screen or retitle
 * the window of whoever reads the log in a terminal.
 *
 * Escaped: the C0 controls and DEL (U+0000–U+001F, U+007F); the C1 controls
 * (U+0080–U+009F: U+009B is CSI itself to a terminal that takes 8-bit
 * controls); U+2028/U+2029, which some readers break lines at; and the
 * bidirectional overrides and isolates (U+200E/U+200F, U+202A–U+202E,
 * U+2066–U+2069), which show a line's characters in another order than they
 * are (CVE-2021-42574, "Trojan Source").
 *
 * The escapes are JSON's (`\n`, `\r`, `\t`, `\u001b`), so text that is already
 * a JSON document stays one, meaning the same: JSON.stringify escapes the C0
 * controls already (ECMA-262 QuoteJSONString) but writes the others as they
 * are.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what this escapes
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
