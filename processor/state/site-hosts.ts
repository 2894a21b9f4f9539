/**
 * The host names of each site, in memory: its own name, those configured
 * (SITE_HOSTS), and those learned since (host-store.ts shares them through
 * ClickHouse; `scalehouse explain` keeps them for one run).
 */
import { own } from '../../common/own.ts';
export class SiteHosts {
  private readonly known = new Map<string, Set<string>>();
  protected pending: { site: string; host: string }[] = [];

  constructor(protected readonly configured: Record<string, string[]> = {}) {}

  /** Every host name of `site` known now. */
  readonly hostsOf = (site: string): ReadonlySet<string> => {
    let set = this.known.get(site);
    if (!set) {
      set = new Set([site.replace(/^www\./, ''), ...(own(this.configured, site) ?? [])]);
      this.known.set(site, set);
    }
    return set;
  };

  /** A host a hit of `site` was for, or a self-referral named: known from now on (and pending for whoever shares them). */
  readonly learn = (site: string, host: string): void => {
    if (!host || this.hostsOf(site).has(host)) return;
    this.add(site, host);
    this.pending.push({ site, host });
  };

  protected add(site: string, host: string): void {
    (this.hostsOf(site) as Set<string>).add(host);
  }
}
