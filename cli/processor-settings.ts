/**
 * What every way of processing hits (start, tail, replay) takes from the
 * configuration: the session rules, the sites' host names and the country
 * database (the collector of `start` uses the same one).
 */
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { Config } from '../common/config.ts';
import { openCountryLookup } from '../common/country.ts';
import { HostStore } from '../processor/state/host-store.ts';

/** The session rules (also `scalehouse explain`'s, which opens no ClickHouse). */
export const sessionSettings = (config: Config) => ({
  sessionTimeoutMs: config.SESSION_TIMEOUT_MINUTES * 60_000,
  sessionReorderMs: config.SESSION_REORDER_SECONDS * 1000,
});

export const processorSettings = async (config: Config, ch: ClickHouse) => ({
  ...sessionSettings(config),
  program: config.PROCESSOR_PROGRAM,
  hosts: new HostStore(ch, config.SITE_HOSTS),
  countryOf: await openCountryLookup(config.GEOIP_DB),
});
