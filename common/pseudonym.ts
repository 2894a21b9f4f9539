/**
 * Client addresses become pseudonyms before anything is written to a bus
 * (docs/privacy.md, From the request to the tables): bus files, Kafka topics and their retention
 * hold no usable IP address. A pseudonym is a keyed hash of the address under
 * the daily salt of the day the hit was received — the same salts the visitor
 * hash uses, destroyed after two days, after which a pseudonym can no longer
 * be tied to an address. Within a day one address has one pseudonym on every
 * collector, so the processor still tells visitors apart, and Kafka still
 * keys a visitor's hits to one partition.
 */
import { createHmac } from 'node:crypto';
import type { Hit } from './hit.ts';
import { noCountry, type CountryOf } from './country.ts';
import { addressIn, replaceAddresses } from './line-address.ts';
import { redactIps } from './redact-ips.ts';
import { addressReplacer } from './address-text.ts';
import { mapStrings } from './map-strings.ts';

/** Returns the secret salt for a UTC day ("2026-11-28"). */
export type SaltFor = (day: string) => Buffer;

/** Marks a pseudonym, so no one mistakes it for an address. */
export const PSEUDONYM_PREFIX = '~';

export interface Pseudonymiser {
  address(address: string): string;
  /** A log line with its client addresses replaced; a line of no known shape has every IP-shaped text masked. */
  line(line: string): string;
  /** The hit as it may be written to a bus: addresses made pseudonyms, their country kept (headers.country). */
  hit<H extends Hit>(hit: H): H;
}

export function pseudonymiser(saltFor: SaltFor, now: () => number = Date.now, countryOf: CountryOf = noCountry): Pseudonymiser {
  const address = (addr: string): string => {
    if (!addr || addr.startsWith(PSEUDONYM_PREFIX)) return addr;
    const salt = saltFor(new Date(now()).toISOString().slice(0, 10));
    return PSEUDONYM_PREFIX + createHmac('sha256', salt).update(`address\n${addr}`).digest().subarray(0, 16).toString('base64url');
  };
  const line = (text: string): string => replaceAddresses(text, address) ?? redactIps(text);
  /** A beacon's strings (its URL, referrer, props, user agent) with the browser's own address made its pseudonym too. */
  const beaconText = <T>(value: T, replace: ((text: string) => string) | undefined): T => (replace ? mapStrings(value, replace) : value);
  return {
    address,
    line,
    hit: (hit) => {
      // The visitor's address: in the line for a log hit, the sender's for a beacon.
      const visitor = hit.kind === 'log' ? (addressIn(hit.line) ?? '') : hit.client;
      const country = hit.headers.country || countryOf(visitor);
      const headers = country ? { ...hit.headers, country } : hit.headers;
      if (hit.kind === 'log') return { ...hit, headers, client: address(hit.client), line: line(hit.line) };
      // One keyed hash and one reading of the address per beacon, for its headers, payload and client.
      const pseudonym = address(hit.client);
      const replacer = addressReplacer(hit.client);
      const replace = replacer && ((text: string) => replacer(text, pseudonym));
      return { ...hit, headers: beaconText(headers, replace), client: pseudonym, payload: beaconText(hit.payload, replace) };
    },
  };
}
