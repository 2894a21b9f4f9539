/**
 * Text from outside — beacons, headers, log lines, syslog messages, files —
 * made valid, printable Unicode before it goes further (docs/privacy.md,
 * "Text from outside"). One rule everywhere:
 *  - a lone surrogate (half of a UTF-16 pair, as the JSON escape "\ud800"
 *    makes: RFC 8259 §8.2 allows it, ClickHouse refuses it — "Cannot parse
 *    escape sequence: missing second part of surrogate pair") becomes U+FFFD,
 *    as String.prototype.toWellFormed and the WHATWG UTF-8 decoder do;
 *  - control characters — C0 but tab, line feed and carriage return, DEL, and
 *    C1 (Unicode category Cc) — become U+FFFD too: replaced, not removed, so
 *    nothing that was apart is joined ("ad\0min" does not become "admin") and
 *    a reader sees that something was there.
 * Bytes that are not UTF-8 are decoded to U+FFFD where they are read
 * (TextDecoder without `fatal`, Buffer#toString): by then they are this text.
 */
import { mapStrings } from './map-strings.ts';

/** Anything the rule replaces; one pass, no allocation when there is none. */
const NOT_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the C0 and C1 controls are what this rule replaces
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const HAS_NOT_TEXT = new RegExp(NOT_TEXT.source);

export const REPLACEMENT = '\uFFFD';

/** The text with lone surrogates and control characters (but \t \n \r) replaced by U+FFFD. */
export function cleanText(text: string): string {
  return HAS_NOT_TEXT.test(text) ? text.replace(NOT_TEXT, REPLACEMENT) : text;
}

/** Every string of a parsed JSON value cleaned, object keys included. */
export const cleanJson = <T>(value: T): T => mapStrings(value, cleanText);

/**
 * At most `max` UTF-16 code units of `text`, never half a pair: String#slice
 * cuts between the two halves of a character beyond U+FFFF (an emoji at the
 * limit), which leaves a lone surrogate behind.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
