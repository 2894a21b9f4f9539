/**
 * JSON bodies — beacons, log batches sent as arrays, the dashboard's goals,
 * funnels and shared links — parsed only when their nesting is no deeper than
 * any of them has. Parsing deep JSON is fine; what comes after recurses over
 * it (encoding the hit for the bus), and 8,000 levels ran out of stack: a 500
 * where a 400 is right.
 */
import type { Context } from 'hono';
import { httpError } from '../common/http-error.ts';
import { requireContentType } from './content-type.ts';
import { readBody } from './read-body.ts';

export const MAX_JSON_DEPTH = 32;

/** True if arrays and objects nest deeper than `max` (brackets inside strings do not count); no recursion. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The parsed body, or a 400 saying what is wrong with it (`what`: "the body", "the beacon").
 * `malformed` is the `error` of a body that is not JSON: each API keeps the code it documents
 * (the intake's `malformed_json`, the dashboard's `invalid_json`, README).
 */
export function parseJsonBody(body: string, what: string, malformed = 'malformed_json'): unknown {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH))
    throw httpError(400, 'too_deep', `${what} nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(body);
  } catch (err) {
    throw httpError(400, malformed, `${what} is not valid JSON: ${(err as Error).message.slice(0, 120)}`);
  }
}

export interface JsonBodyLimits {
  maxBytes: number;
  malformed: string;
}

/**
 * The JSON body of a request that takes JSON only: 415 for another type, 413 past `maxBytes`
 * (refused while reading: a huge body is never held whole), 400 unless it parses.
 */
export async function readJsonBody(c: Context, limits: JsonBodyLimits): Promise<unknown> {
  requireContentType(c, ['application/json']);
  const text = await readBody(c, limits.maxBytes, () =>
    httpError(413, 'payload_too_large', `a body is at most ${Math.floor(limits.maxBytes / 1024)} KB`),
  );
  return parseJsonBody(text, 'the body', limits.malformed);
}
