/**
 * How many beacons one client (an address, or an IPv6 /64) and one site may
 * send: anyone can send beacons, so without a limit one sender could fill
 * the database. A refusal is a 429 with Retry-After, counted by reason.
 * Clients on loopback are not limited — a proxy on the same machine whose
 * X-Forwarded-For is not trusted (TRUSTED_PROXIES) would otherwise lump every
 * visitor into one client. Log batches carry a token and are not limited.
 */
import type { Config } from '../common/config.ts';
import { httpError } from '../common/http-error.ts';
import { clientKey, isLoopback } from '../server/client-key.ts';
import { TokenBuckets } from './rate-limit.ts';

/** Seconds of the rate a client or site may send at once. */
const BURST_SECONDS = 10;

export interface BeaconLimits {
  /** Throws 429 if the client must wait. */
  client(address: string, now?: number): void;
  /** Throws 429 if the site must wait. */
  site(site: string, now?: number): void;
}

export function beaconLimits(config: Pick<Config, 'BEACON_RATE_PER_CLIENT' | 'BEACON_RATE_PER_SITE'>): BeaconLimits {
  const buckets = (perSecond: number) => (perSecond > 0 ? new TokenBuckets({ perSecond, burst: perSecond * BURST_SECONDS }) : undefined);
  const byClient = buckets(config.BEACON_RATE_PER_CLIENT);
  const bySite = buckets(config.BEACON_RATE_PER_SITE);
  const refuse = (reason: 'client_rate' | 'site_rate', waitMs: number, message: string) =>
    httpError(429, 'rate_limited', message, { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) }, reason);
  return {
    client(address, now = Date.now()) {
      if (!byClient || isLoopback(address)) return;
      const wait = byClient.take(clientKey(address), now);
      if (wait)
        throw refuse(
          'client_rate',
          wait,
          `more than ${config.BEACON_RATE_PER_CLIENT} beacons a second from this address (BEACON_RATE_PER_CLIENT)`,
        );
    },
    site(site, now = Date.now()) {
      const wait = bySite?.take(site, now) ?? 0;
      if (wait)
        throw refuse('site_rate', wait, `more than ${config.BEACON_RATE_PER_SITE} beacons a second for this site (BEACON_RATE_PER_SITE)`);
    },
  };
}
