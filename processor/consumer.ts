/**
 * The processor's IO edge: takes batches from the bus, runs processBatch,
 * loads the rows, then saves session state (see session-store.ts for why this
 * order makes a crash at any point safe). Throwing hands the batch back to
 * the bus, which delivers it again.
 */
import type { Bus, BusBatch } from '../bus/bus.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { log } from '../common/log.ts';
import { processBatch } from './process-batch.ts';
import { loadOrDeadLetter } from './load/load-batch.ts';
import type { SaltStore } from './salt-store.ts';
import type { SessionStore } from './session-store.ts';
import type { SessionState } from './steps/sessionize.ts';

export interface ProcessorCounters { batches: number; records: number; events: number; dropped: number; deadLetters: number }

export async function startProcessor(deps: {
  bus: Bus; ch: ClickHouse; salts: SaltStore; sessions: SessionStore; sessionTimeoutMs: number; maxRecords: number;
}): Promise<ProcessorCounters> {
  const counters: ProcessorCounters = { batches: 0, records: 0, events: 0, dropped: 0, deadLetters: 0 };
  const streams = new Map<string, { state: SessionState; afterToken: string }>();

  const handle = async (batch: BusBatch): Promise<void> => {
    let stream = streams.get(batch.stream);
    if (!stream) {
      stream = await deps.sessions.load(batch.stream);
      streams.set(batch.stream, stream);
    }
    if (stream.afterToken === batch.token) return; // loaded and state saved before a crash: nothing left to do
    // Work on a copy: if loading fails, the batch is retried from the state before it.
    const state: SessionState = new Map([...stream.state].map(([k, s]) => [k, { ...s }]));
    const now = Date.now();
    const rows = processBatch(batch.records, state, { saltFor: deps.salts.saltFor, sessionTimeoutMs: deps.sessionTimeoutMs, now });
    await deps.salts.save();
    await loadOrDeadLetter(deps.ch, rows, batch.records, batch.token, now);
    await deps.sessions.save(batch.stream, state, batch.token);
    streams.set(batch.stream, { state, afterToken: batch.token });
    counters.batches++;
    counters.records += batch.records.length;
    counters.events += rows.events.length;
    counters.dropped += rows.stats.filter((s) => s.outcome === 'dropped').reduce((n, s) => n + s.count, 0);
    counters.deadLetters += rows.deadLetters.length;
    log.debug('batch loaded', { token: batch.token, records: batch.records.length, events: rows.events.length });
  };

  await deps.bus.consume(handle, { maxRecords: deps.maxRecords });
  return counters;
}
