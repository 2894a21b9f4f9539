/** What the intake routes need: their limits, the bus, the ingest tokens, the pseudonymiser, and their counters. */
import type { Bus } from '../bus/bus.ts';
import type { Config } from '../common/config.ts';
import type { Pseudonymiser } from '../common/pseudonym.ts';

export interface IntakeCounters {
  accepted: number;
  /** Intake requests refused, by reason (collector/count-refusals.ts): client_rate, origin, payload_too_large, unavailable… */
  refused: Record<string, number>;
  /** Beacons of visitors who asked not to be tracked: answered, never written. */
  optedOut: number;
}

export interface IntakeDeps {
  config: Pick<
    Config,
    | 'SITES'
    | 'BEACON_MAX_BYTES'
    | 'LOG_BATCH_MAX_BYTES'
    | 'LOG_LINE_MAX_BYTES'
    | 'BEACON_RATE_PER_CLIENT'
    | 'BEACON_RATE_PER_SITE'
    | 'BEACON_ORIGINS'
  >;
  bus: Bus;
  /** Every ingest token accepted now: INGEST_TOKEN may list several while shippers move to a new one. */
  ingestTokens: string[];
  /** Client addresses become pseudonyms before a hit reaches the bus. */
  pseudonymise: Pseudonymiser;
  counters: IntakeCounters;
}
