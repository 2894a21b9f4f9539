/**
 * The processor's IO edge: takes batches from the bus, runs processBatch,
 * loads the rows, and hands dead letters to the bus's own dead-letter
 * destination where it has one (Kafka's DLQ topic). Throwing hands the batch
 * back to the bus, which delivers it again (same records, same token).
 *
 * Session state is kept per bus stream and restored from ClickHouse whenever
 * the batch does not continue where this process left off — at start, after
 * a crash, or when a Kafka partition comes (back) from another processor.
 */
import type { Bus, BusBatch, DeadLetter } from '../bus/bus.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { log } from '../common/log.ts';
import { processBatch } from './process-batch.ts';
import { loadOrDeadLetter } from './load/load-batch.ts';
import { restoreSessions } from './session-store.ts';
import type { SaltStore } from './salt-store.ts';
import type { SessionState } from './steps/sessionize.ts';

export interface ProcessorCounters { batches: number; records: number; events: number; dropped: number; deadLetters: number }

export interface HandlerDeps {
  ch: ClickHouse; salts: SaltStore; sessionTimeoutMs: number;
  /** Where dead letters go besides the table (the Kafka DLQ topic); absent for the local bus and files. */
  deadLetter?: Bus['deadLetter'];
}

export async function startProcessor(deps: HandlerDeps & { bus: Bus; maxRecords: number }): Promise<ProcessorCounters> {
  const { handle, counters } = createBatchHandler({ ...deps, deadLetter: deps.bus.deadLetter?.bind(deps.bus) });
  await deps.bus.consume(handle, { maxRecords: deps.maxRecords });
  return counters;
}

/** Processes and loads one batch of bus records; used by the bus consumer and by `scalehouse tail`. */
export function createBatchHandler(deps: HandlerDeps): { handle: (batch: BusBatch) => Promise<void>; counters: ProcessorCounters } {
  const counters: ProcessorCounters = { batches: 0, records: 0, events: 0, dropped: 0, deadLetters: 0 };
  const streams = new Map<string, { state: SessionState; nextOffset: number }>();

  const handle = async (batch: BusBatch): Promise<void> => {
    const first = batch.records[0];
    if (!first) return;
    let held = streams.get(batch.stream);
    if (!held || held.nextOffset !== first.offset) {
      held = { state: await restoreSessions(deps.ch, batch.stream, deps.sessionTimeoutMs), nextOffset: first.offset };
    }
    // The state is changed in place. Until this batch is loaded it is out of the cache, so if
    // anything below throws, the retry restores it from ClickHouse (where the offsets of what
    // did land keep it exact) instead of reusing a state half-way through this batch.
    streams.delete(batch.stream);
    await deps.salts.refresh();
    const state = held.state;
    const now = Date.now();
    const rows = processBatch(batch.records, state, { saltFor: deps.salts.saltFor, sessionTimeoutMs: deps.sessionTimeoutMs, now, stream: batch.stream });
    const outcome = await loadOrDeadLetter(deps.ch, rows, batch.records, batch.token, now);
    if (deps.deadLetter) {
      const byPosition = new Map(batch.records.map((r) => [r.position, r]));
      const items: DeadLetter[] = outcome === 'loaded'
        ? rows.deadLetters.map((d) => ({ record: byPosition.get(d.position)!, reason: d.reason, detail: d.detail }))
        : batch.records.map((record) => ({ record, reason: 'load_rejected', detail: 'ClickHouse refused the batch as bad data' }));
      await deps.deadLetter(items.filter((i) => i.record), batch);
    }
    streams.set(batch.stream, { state, nextOffset: batch.end ?? batch.records.at(-1)!.offset + 1 });
    counters.batches++;
    counters.records += batch.records.length;
    counters.events += rows.events.length;
    counters.dropped += rows.stats.filter((s) => s.outcome === 'dropped').reduce((n, s) => n + s.count, 0);
    counters.deadLetters += rows.deadLetters.length;
    log.debug('batch loaded', { token: batch.token, records: batch.records.length, events: rows.events.length });
  };

  return { handle, counters };
}
