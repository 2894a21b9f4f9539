/**
 * One batch of hits, end to end: restore the stream's sessions if needed,
 * process the records (process-batch.ts, pure), load the rows (load/), and
 * hand dead letters to the bus's own dead-letter destination where it has
 * one (Kafka's DLQ topic). Throwing hands the batch back to whoever delivered
 * it (bus/deliver.ts), which delivers it again: same records, same token.
 * Every way in uses this handler — the bus consumers, `scalehouse tail`
 * and `scalehouse replay`. `handle` does one batch after the other;
 * `prepare` processes a batch and returns its load (or its discard), so a
 * caller that can — the buses (bus/pipeline.ts), replay — processes the next
 * batch while this one loads.
 *
 * Session state is kept per stream and restored from ClickHouse whenever the
 * batch does not continue where this handler left off — at start, after a
 * crash, or when a Kafka partition comes (back) from another processor.
 */
import type { BatchHandler, Bus, BusBatch, DeadLetter, PreparedBatch } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { log } from '../../common/log.ts';
import { loadBatch, type LoadResult } from '../load/load-batch.ts';
import type { StatRow } from '../load/rows.ts';
import { countsLines } from '../load/refusals.ts';
import { restoreSessions } from '../state/session-store.ts';
import type { SaltStore } from '../state/salt-store.ts';
import { HostStore } from '../state/host-store.ts';
import type { CountryOf } from '../../common/country.ts';
import { processBatch, type ProcessOptions } from './process-batch.ts';
import { prepareStaged } from './prepare-staged.ts';
import { runRecordsYielding } from './run-records.ts';
import { DEFAULT_REORDER_MS, type SessionState } from './sessionize.ts';

export interface ProcessorCounters {
  batches: number;
  records: number;
  events: number;
  dropped: number;
  deadLetters: number;
}

export interface HandlerDeps {
  ch: ClickHouse;
  salts: SaltStore;
  sessionTimeoutMs: number;
  /** The sites' host names (SITE_HOSTS and learned); by default, learned ones only. */
  hosts?: HostStore;
  /** Country lookup for addresses read straight from files (tail, replay); none by default. */
  countryOf?: CountryOf;
  /** How late a hit may arrive and still join its session (SESSION_REORDER_SECONDS); DEFAULT_REORDER_MS if absent. */
  sessionReorderMs?: number;
  /** Where dead letters go besides the table (the Kafka DLQ topic); absent for the local bus and files. */
  deadLetter?: Bus['deadLetter'];
  /**
   * The open sessions of a stream this handler does not hold: by default read back from the
   * sessions table; a replayed file starts with none (its sessions belong to no bus stream).
   * `fromOffset` is the first offset of the batch about to be processed.
   */
  restore?: (stream: string, fromOffset: number) => Promise<SessionState>;
  /** Sees the outcome counts of each loaded batch and how long its load took (replay's summary, metrics). */
  onLoaded?: (stats: StatRow[], loadSeconds: number) => void;
  /**
   * Where the per-hit work runs: 'javascript' (the default here) — every record through processor/pipeline.ts,
   * the rows built and inserted from JavaScript (the reference); 'engine' — staged, parsed and enriched in
   * ClickHouse, the hits written from its tables (prepare-staged.ts); 'auto' — the engine for a batch of at
   * least ENGINE_MIN_RECORDS records, JavaScript for a smaller one. Sessions are JavaScript's either way, and
   * both leave every table alike (tests/integration/engine-program.test.ts), so batches may take either.
   */
  program?: Program;
}

export type Program = 'auto' | 'engine' | 'javascript';

/**
 * The engine program costs a fixed ~15 queries a batch, each a few milliseconds of the engine's analysis
 * whatever the rows (docs/benchmarks.md, import): measured on `scalehouse replay` of the bench's logs, it is
 * no faster than the JavaScript program at 5,000 records and ahead at 50,000. Below this, JavaScript.
 */
export const ENGINE_MIN_RECORDS = 10_000;

const usesEngine = (program: Program | undefined, records: number): boolean =>
  program === 'engine' || (program === 'auto' && records >= ENGINE_MIN_RECORDS);

/** A batch with no records: nothing to load, nothing held. */
const NOTHING: PreparedBatch = { load: async () => {}, discard: async () => {} };

export function createBatchHandler(deps: HandlerDeps): {
  handle: BatchHandler;
  prepare: (batch: BusBatch) => Promise<PreparedBatch>;
  counters: ProcessorCounters;
  openSessions: () => number;
} {
  const counters: ProcessorCounters = { batches: 0, records: 0, events: 0, dropped: 0, deadLetters: 0 };
  const streams = new Map<string, { state: SessionState; nextOffset: number }>();
  // Each stream's load running now, if one is (its next batch may be prepared meanwhile).
  const loading = new Map<string, Promise<void>>();
  const hosts = deps.hosts ?? new HostStore(deps.ch);
  const rules = { timeoutMs: deps.sessionTimeoutMs, reorderMs: deps.sessionReorderMs ?? DEFAULT_REORDER_MS };
  const restore = deps.restore ?? ((stream: string, fromOffset: number) => restoreSessions(deps.ch, stream, fromOffset, rules));

  /**
   * Processes a batch (CPU only) and returns its load. The next batch of the
   * stream may be prepared while this one loads (the buses and `scalehouse
   * replay` do): processing and loading overlap. Loads run in stream order. A
   * batch prepared on top of one whose load failed must be discarded, not
   * loaded: the failed load dropped the stream's state, and the next prepare
   * of the stream restores it from ClickHouse unless it continues the state
   * held — the `nextOffset` check below.
   */
  const prepare = async (batch: BusBatch): Promise<PreparedBatch> => {
    const first = batch.records[0];
    if (!first) return NOTHING;
    let held = streams.get(batch.stream);
    const restored = !held || held.nextOffset !== first.offset;
    if (restored) {
      // ClickHouse is read as of this batch's start: a load of the stream still running (a batch this one
      // was meant to follow, whose state someone let go) must land, or fail, first.
      await loading.get(batch.stream)?.catch(() => {});
      held = { state: await restore(batch.stream, first.offset), nextOffset: first.offset };
    }
    // The state is changed in place. If anything below throws, or the load fails, the stream leaves
    // the cache, so the retry restores it from ClickHouse (where the offsets of what did land keep
    // it exact) instead of reusing a state half-way through this batch.
    streams.delete(batch.stream);
    await deps.salts.refresh();
    await hosts.refresh();
    const state = held!.state;
    const now = Date.now();
    const opts = {
      saltFor: deps.salts.saltFor,
      hostsOf: hosts.hostsOf,
      learnHost: hosts.learn,
      countryOf: deps.countryOf,
      sessionTimeoutMs: rules.timeoutMs,
      sessionReorderMs: rules.reorderMs,
      now,
      stream: batch.stream,
    };
    const inEngine = usesEngine(deps.program, batch.records.length)
      ? await prepareStaged({ ch: deps.ch, context: opts, rules, stream: batch.stream, learnHost: hosts.learn }, batch, state)
      : undefined;
    const loadRows = inEngine?.load ?? (await prepareInJavaScript(batch, state, opts));
    const after = { state, nextOffset: batch.end ?? batch.records.at(-1)!.offset + 1 };
    streams.set(batch.stream, after);
    return {
      load: async () => {
        const loaded = load(batch, loadRows, restored);
        loading.set(batch.stream, loaded);
        try {
          await loaded;
        } catch (err) {
          // Whatever state the stream holds is past a batch that did not load (the bus discards the batch prepared on it).
          streams.delete(batch.stream);
          throw err;
        } finally {
          if (loading.get(batch.stream) === loaded) loading.delete(batch.stream);
        }
      },
      // The state this batch left is past a batch that will not load: the stream's next prepare restores
      // it. A state a later prepare of the stream set (a consumer the watchdog left behind discarding late) stays.
      discard: async () => {
        if (streams.get(batch.stream) === after) streams.delete(batch.stream);
        await inEngine?.discard();
      },
    };
  };

  /** The JavaScript program: every record through the per-hit steps here, the rows built for the loader. */
  const prepareInJavaScript = async (batch: BusBatch, state: SessionState, opts: ProcessOptions) => {
    const rows = processBatch(batch.records, state, opts, await runRecordsYielding(batch.records, opts));
    return (redo: boolean) => loadBatch(deps.ch, rows, batch.records, batch.token, opts.now, redo);
  };

  const load = async (batch: BusBatch, loadRows: (redo: boolean) => Promise<LoadResult>, restored: boolean): Promise<void> => {
    const started = performance.now();
    const loaded = await loadRows(restored);
    const loadSeconds = (performance.now() - started) / 1000;
    if (deps.deadLetter) {
      const byPosition = new Map(batch.records.map((r) => [r.position, r]));
      // Rows made of many hits (sessions, verdicts) have no record of their own: only hits go to the DLQ topic.
      const items: DeadLetter[] = loaded.deadLetters.flatMap((d) => {
        const record = byPosition.get(d.position);
        return record ? [{ record, reason: d.reason, detail: d.detail }] : [];
      });
      await deps.deadLetter(items, batch);
    }
    await hosts.flush();
    counters.batches++;
    counters.records += batch.records.length;
    const counted = (outcome: string) =>
      loaded.stats.filter((s) => s.outcome === outcome && countsLines(s)).reduce((n, s) => n + s.count, 0);
    const events = counted('event');
    counters.events += events;
    counters.dropped += counted('dropped');
    counters.deadLetters += counted('dead_letter');
    deps.onLoaded?.(loaded.stats, loadSeconds);
    log.debug('batch loaded', { batch: batch.token, records: batch.records.length, events });
  };

  const handle = async (batch: BusBatch): Promise<void> => {
    await (await prepare(batch)).load();
  };

  /** Sessions held open across the streams this handler processes (visitors with an open visit). */
  const openSessions = () => [...streams.values()].reduce((n, s) => n + s.state.byVisitor.size, 0);

  return { handle, prepare, counters, openSessions };
}
