/**
 * The last thing parse does to an event, whatever the source: its text made
 * valid and printable, and the visitor's own address kept out of every field
 * but `client`. Parsers decode what the hit carried — JSON escapes ("\ud800",
 * "\u0000"), the log's \xHH escapes — so text that was clean on the bus can
 * be a lone surrogate or a NUL here (common/clean-text.ts says the rule).
 * The address: the collector already made it a pseudonym wherever it stood
 * (common/pseudonym.ts); lines read straight from files (`scalehouse replay`)
 * still carry it, and it is masked as dead letters mask it (`[ip]`).
 */
import { addressReplacer } from '../../common/address-text.ts';
import { cleanText } from '../../common/clean-text.ts';
import { mapStrings } from '../../common/map-strings.ts';
import type { Event } from '../event.ts';

/** Every text field of an event as parsed (later steps derive theirs from these). */
const TEXT_FIELDS = ['eventName', 'userAgent', 'host', 'method', 'path', 'query', 'referrer', 'language'] as const;

const ADDRESS_MASK = '[ip]';

function mapText(ev: Event, f: (s: string) => string): void {
  for (const field of TEXT_FIELDS) ev[field] = f(ev[field]);
  ev.props = mapStrings(ev.props, f);
}

export function finishEventText(ev: Event): Event {
  mapText(ev, cleanText);
  const replace = ev.client ? addressReplacer(ev.client) : undefined;
  if (replace) mapText(ev, (s) => replace(s, ADDRESS_MASK));
  return ev;
}
