/** What the intake routes need: their limits, the bus, the ingest token, and the counter of hits accepted. */
import type { Bus } from '../bus/bus.ts';
import type { Config } from '../common/config.ts';

export interface IntakeDeps {
  config: Pick<Config, 'SITES' | 'BEACON_MAX_BYTES' | 'LOG_BATCH_MAX_BYTES' | 'LOG_LINE_MAX_BYTES'>;
  bus: Bus;
  ingestToken: string;
  counters: { accepted: number };
}
