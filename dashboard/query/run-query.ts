/** Runs one named dashboard query (clickhouse/named-query.ts) with the API's validated parameters bound. */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { runNamedQuery } from '../../clickhouse/named-query.ts';
import { chTime } from '../../clickhouse/time.ts';
import type { QueryParams } from './params.ts';

export function runQuery<T = Record<string, unknown>>(
  ch: ClickHouse,
  name: string,
  p: QueryParams,
  extra: Record<string, unknown> = {},
): Promise<T[]> {
  return runNamedQuery<T>(ch, name, {
    site: p.site,
    from: chTime(p.from),
    to: chTime(p.to),
    bucket: p.bucket,
    limit: p.limit,
    page: p.page,
    entry: p.entry,
    channel: p.channel,
    device: p.device,
    country: p.country,
    status_class: p.status_class,
    event: p.event,
    ...extra,
  });
}
