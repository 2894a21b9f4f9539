/**
 * Referrers, in JavaScript once per distinct value: the host and path `new
 * URL()` makes of a referrer too odd for the engine's plain-URL rule
 * (clickhouse/queries/stage/_enrich-normalised.sql: IDNA, IPv4 forms, dot
 * segments, other schemes…), passed to the batch's enrich.sql as
 * parameters; and the channel a referrer's host gives (classify-referrer.ts's
 * rules), kept in referrer_hosts (migration 0017) and its dictionary (0018) for every
 * batch after.
 */
import { randomUUID } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { command } from '../../clickhouse/query.ts';
import { hostAndPathOf } from '../steps/normalise.ts';
import { hostChannelOf } from '../steps/classify-referrer.ts';

export interface OddReferrerParams {
  ref_urls: string[];
  ref_hosts: string[];
  ref_paths: string[];
}

export function oddReferrerParams(referrers: readonly string[]): OddReferrerParams {
  const params: OddReferrerParams = { ref_urls: [], ref_hosts: [], ref_paths: [] };
  for (const referrer of referrers) {
    const { host, path } = hostAndPathOf(referrer);
    params.ref_urls.push(referrer);
    params.ref_hosts.push(host);
    params.ref_paths.push(path);
  }
  return params;
}

/** Adds referrer hosts with their channel and reloads their dictionary; a new token each time, as user-agents.ts says why. */
export async function addReferrerHosts(ch: ClickHouse, hosts: readonly string[]): Promise<void> {
  const rows = hosts.map((host) => ({ host, channel: hostChannelOf(host) }));
  await insertRows(ch, 'referrer_hosts', rows, `referrer-hosts:${randomUUID()}`);
  await command(ch, 'queries/stage/enrich-reload-referrer-hosts.sql');
}
