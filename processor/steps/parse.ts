/**
 * Pipeline step: parse: a Hit from the bus to an Event (the parsers are in
 * processor/parsers/). Log lines are sniffed:
 * "{" starts nginx JSON (or a shipper's envelope with the raw line in
 * `message`, as Vector and Fluent Bit send), anything else is combined/common.
 * Whatever the parser decoded is then made valid text, with the visitor's
 * address in no field but `client` (parsers/event-text.ts).
 */
import type { Hit } from '../../common/hit.ts';
import { deadLetter, type StepResult } from '../result.ts';
import { parseCombinedLine } from '../parsers/combined-line.ts';
import { parseNginxJsonLine } from '../parsers/nginx-json-line.ts';
import { parseBeacon } from '../parsers/beacon.ts';
import { finishEventText } from '../parsers/event-text.ts';

export function parseHit(hit: Hit): StepResult {
  const result = hit.kind === 'beacon' ? parseBeacon(hit) : parseLogLine(hit.line.trimEnd(), hit.site, hit.receivedAt);
  if (result.ok) finishEventText(result.event);
  return result;
}

function parseLogLine(line: string, site: string, receivedAt: number, depth = 0): StepResult {
  if (!line.startsWith('{')) return parseCombinedLine(line, site, receivedAt);
  let fields: unknown;
  try {
    fields = JSON.parse(line);
  } catch {
    return deadLetter('invalid_json_line', 'line starts with "{" but is not valid JSON (cut off?)');
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    return deadLetter('invalid_json_line', 'JSON line is not an object');
  const f = fields as Record<string, unknown>;
  // Vector puts the raw line in `message`, Fluent Bit's tail input in `log`.
  const wrapped = typeof f.message === 'string' ? f.message : typeof f.log === 'string' ? f.log : undefined;
  if (wrapped !== undefined && f.status === undefined && depth === 0) return parseLogLine(wrapped.trimEnd(), site, receivedAt, 1);
  return parseNginxJsonLine(f, site, receivedAt);
}
