/**
 * JSON bodies (beacons, log batches sent as arrays), parsed only when their
 * nesting is no deeper than any beacon or log record has. Parsing deep JSON
 * is fine; what comes after recurses over it (encoding the hit for the bus),
 * and 8,000 levels ran out of stack: a 500 where a 400 is right.
 */
import { httpError } from '../common/http-error.ts';

export const MAX_JSON_DEPTH = 32;

/** True if arrays and objects nest deeper than `max` (brackets inside strings do not count); no recursion. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The parsed body, or a 400 saying what is wrong with it (`what`: "the body", "the beacon"). */
export function parseJsonBody(body: string, what: string): unknown {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) throw httpError(400, 'too_deep', `${what} nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(body);
  } catch {
    throw httpError(400, 'malformed_json', `${what} is not valid JSON`);
  }
}
