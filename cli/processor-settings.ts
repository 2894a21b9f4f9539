/**
 * What every way of processing hits (start, tail, replay) takes from the
 * configuration: the session rules and the sites' host names.
 */
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { Config } from '../common/config.ts';
import { HostStore } from '../processor/state/host-store.ts';

export const processorSettings = (config: Config, ch: ClickHouse) => ({
  sessionTimeoutMs: config.SESSION_TIMEOUT_MINUTES * 60_000,
  sessionReorderMs: config.SESSION_REORDER_SECONDS * 1000,
  hosts: new HostStore(ch, config.SITE_HOSTS),
});
