/**
 * The host names of each site: its own name, those configured (SITE_HOSTS),
 * and those learned — from hits that carry one (the Host of JSON access logs,
 * the URL of beacon hits) and from self-referrals (batch/own-hosts.ts) —
 * shared by every processor and the dashboards through the `site_hosts`
 * table. A referral from any of them is internal. A host takes effect from the
 * batch it is first seen in (in this processor; in others once they refresh,
 * at most a minute later).
 */
import { createHash } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertIsolating } from '../../clickhouse/insert-isolating.ts';
import { log } from '../../common/log.ts';
import { selectRows } from '../../clickhouse/query.ts';
import { SiteHosts } from './site-hosts.ts';

const REFRESH_MS = 60_000;

export class HostStore extends SiteHosts {
  private refreshedAt = -Infinity;

  constructor(
    private readonly ch: ClickHouse,
    configured: Record<string, string[]> = {},
    private readonly clock: () => number = Date.now,
  ) {
    super(configured);
    // Configured hosts go to the table too: the dashboards read it to tell a site's own referrals.
    for (const [site, hosts] of Object.entries(configured)) for (const host of hosts) this.pending.push({ site, host });
  }

  /** Reads what other processors learned (at most once a minute unless forced); call before a batch. */
  async refresh(force = false): Promise<void> {
    const now = this.clock();
    if (!force && now - this.refreshedAt < REFRESH_MS) return;
    for (const { site, host } of await selectRows<{ site: string; host: string }>(this.ch, 'queries/site-hosts-read.sql'))
      this.add(site, host);
    this.refreshedAt = now;
  }

  /**
   * Writes the hosts learned since the last flush; call after a batch is loaded. A host name the
   * engine refuses as data is left out (and logged): it would be refused again at every try.
   */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    const token = createHash('sha256')
      .update(
        rows
          .map((r) => `${r.site}\t${r.host}`)
          .sort()
          .join('\n'),
      )
      .digest('hex');
    const refused = await insertIsolating(this.ch, 'site_hosts', rows, `site-hosts:${token}`);
    if (refused.length > 0)
      log.warn('ClickHouse refused host names as data; they are not kept', { hosts: refused.length, error: refused[0]!.error });
    this.pending = [];
  }
}
