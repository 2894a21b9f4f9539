/**
 * Pipeline step: the visitor's country, before privacy removes the address:
 * the code the collector looked up before it made the address a pseudonym
 * (headers.country), or, for lines read straight from a file (tail, replay),
 * a lookup of the address here (common/country.ts). Only the code is kept.
 */
import type { Event } from '../event.ts';
import { ok, type StepResult } from '../result.ts';
import type { CountryOf } from '../../common/country.ts';
import { PSEUDONYM_PREFIX } from '../../common/pseudonym.ts';

export function locate(ev: Event, fromCollector: unknown, countryOf: CountryOf | undefined): StepResult {
  if (typeof fromCollector === 'string' && /^[A-Z]{2}$/.test(fromCollector)) ev.country = fromCollector;
  else if (ev.client && !ev.client.startsWith(PSEUDONYM_PREFIX) && countryOf) ev.country = countryOf(ev.client);
  return ok(ev);
}
