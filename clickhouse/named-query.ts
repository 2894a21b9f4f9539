/**
 * Runs one named read query of the dashboards (clickhouse/queries/dashboard/,
 * see its README), with bound parameters only and the limits every dashboard
 * read has.
 */
import { selectRows, type Params } from './query.ts';
import type { ClickHouse } from './connect.ts';

export function runNamedQuery<T>(ch: ClickHouse, name: string, params: Params): Promise<T[]> {
  return selectRows<T>(ch, `queries/dashboard/${name}.sql`, params, {
    // Numbers as numbers (counts stay far below 2^53); a dashboard query may not run away.
    output_format_json_quote_64bit_integers: 0,
    max_execution_time: 30,
  });
}
