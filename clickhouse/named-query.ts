/**
 * Runs one named read query of the dashboards (clickhouse/queries/dashboard/,
 * see its README), with bound parameters only and the limits every dashboard
 * read has.
 */
import { selectRows, type Params } from './query.ts';
import type { ClickHouse } from './connect.ts';

const DEFAULT_MAX_SECONDS = 30;

export function runNamedQuery<T>(ch: ClickHouse, name: string, params: Params, signal?: AbortSignal): Promise<T[]> {
  const limits = ch.readLimits;
  return selectRows<T>(
    ch,
    `queries/dashboard/${name}.sql`,
    params,
    {
      // Numbers as numbers (counts stay far below 2^53).
      output_format_json_quote_64bit_integers: 0,
      // Reads only, whatever the SQL file says (2: settings like these may still be given).
      readonly: '2',
      max_execution_time: limits?.maxSeconds ?? DEFAULT_MAX_SECONDS,
      ...(limits
        ? { max_memory_usage: String(limits.maxMemoryBytes), max_result_rows: String(limits.maxResultRows), result_overflow_mode: 'throw' }
        : {}),
    },
    signal,
  );
}
