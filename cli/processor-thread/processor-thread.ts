/**
 * Runs the processor on its own thread (worker.ts) behind the bus's consume
 * loop, which stays here: the bus has the worker prepare a batch, then load
 * it (or discard it), and commits it once the worker says it is loaded — the
 * same contract as a handler in this thread (bus/pipeline.ts), so
 * exactly-once holds unchanged; the next batch is prepared while the last
 * one loads. A batch the worker fails is retried by the bus as ever.
 *
 * If the worker thread itself dies, the process stops (`onFatal`): in
 * embedded mode the engine both threads share does not outlive a thread's
 * teardown, and a restart redoes the batches in flight under their tokens, so
 * nothing acknowledged is lost.
 */
import { Worker } from 'node:worker_threads';
import type { Bus, BusBatch, DeadLetter, TwoPhaseHandler } from '../../bus/bus.ts';
import type { Config } from '../../common/config.ts';
import { ScalehouseError, errorMessage, isRetriable } from '../../common/errors.ts';
import { logSettings } from '../../common/log.ts';
import type { ProcessorCounters } from '../../processor/batch/batch-handler.ts';
import type { FromWorker, ToWorker, WorkerInput } from './messages.ts';
import type { Metrics } from '../../server/metrics.ts';

/** A Buffer crosses threads as a plain Uint8Array (structured clone); Kafka needs it as a Buffer again. */
const asBuffers = (item: DeadLetter): DeadLetter => {
  const raw = item.record.raw;
  return raw ? { ...item, record: { ...item.record, raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) } } : item;
};

// Compiled (dist/), the worker is plain JavaScript. Run from the TypeScript sources, the thread
// starts without this thread's tsx hooks and needs worker.mjs to register them first.
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker.mjs' : './worker.js', import.meta.url);

export interface ProcessorThread {
  /** The worker's counters as of its last batch. */
  readonly counters: ProcessorCounters;
  /** Sessions the worker holds open, as of its last batch. */
  readonly openSessions: number;
}

export async function startProcessorThread(opts: {
  config: Config;
  bus: Bus;
  metrics?: Metrics;
  onFatal: (err: Error) => void;
}): Promise<ProcessorThread> {
  const { config, bus } = opts;
  const input: WorkerInput = { config, deadLetters: Boolean(bus.deadLetter), log: logSettings() };
  const worker = new Worker(WORKER_ENTRY, { workerData: input, name: 'scalehouse processor' });
  const send = (m: ToWorker) => worker.postMessage(m);
  const thread = { counters: { batches: 0, records: 0, events: 0, dropped: 0, deadLetters: 0 }, openSessions: 0 };
  // Requests to the worker awaiting its answer, by batch id: one at a time per batch (prepare, then load or discard).
  const handling = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextId = 0;

  let started: { resolve: () => void; reject: (err: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (started = { resolve, reject }));
  const fail = (err: Error) => {
    for (const h of handling.values()) h.reject(err);
    handling.clear();
    if (started) started.reject(err);
    else opts.onFatal(err);
  };

  const answered = (id: number, error: string | undefined, retriable: boolean | undefined) => {
    const h = handling.get(id);
    handling.delete(id);
    if (error === undefined) h?.resolve();
    else h?.reject(new ScalehouseError(error, { retriable }));
  };
  const ask = (m: ToWorker) =>
    new Promise<void>((resolve, reject) => {
      handling.set(m.id, { resolve, reject });
      send(m);
    });

  worker.on('message', (m: FromWorker) => {
    switch (m.type) {
      case 'ready':
        started?.resolve();
        started = undefined;
        return;
      case 'failed-to-start':
        return fail(new ScalehouseError(m.error));
      case 'handled':
        thread.counters = m.counters;
        thread.openSessions = m.openSessions;
        if (m.report) opts.metrics?.batchLoaded(m.report);
        if (m.error !== undefined) opts.metrics?.batchFailed();
        return answered(m.id, m.error, m.retriable);
      case 'prepared':
        if (m.error !== undefined) opts.metrics?.batchFailed();
        return answered(m.id, m.error, m.retriable);
      case 'discarded':
        return answered(m.id, m.error, m.retriable);
      case 'dead-letter':
        bus.deadLetter!(m.items.map(asBuffers), m.batch).then(
          () => send({ type: 'dead-lettered', id: m.id }),
          (err: unknown) => send({ type: 'dead-lettered', id: m.id, error: errorMessage(err), retriable: isRetriable(err) }),
        );
    }
  });
  worker.on('error', (err) => fail(new ScalehouseError(`the processor thread failed: ${errorMessage(err)}`, { cause: err })));
  worker.on('exit', (code) => fail(new ScalehouseError(`the processor thread stopped (exit code ${code})`)));
  await ready;

  // Two phases (bus/pipeline.ts): the bus has the next batch prepared here while the last one loads.
  const handler: TwoPhaseHandler = {
    prepare: async (batch: BusBatch) => {
      const id = nextId++;
      // Only what a record is made of crosses: a replayed record's decoded Hit never comes this way.
      await ask({ type: 'prepare', id, batch: { records: batch.records, token: batch.token, stream: batch.stream, end: batch.end } });
      return { load: () => ask({ type: 'load', id }), discard: () => ask({ type: 'discard', id }) };
    },
  };
  // Not awaited: joining Kafka's consumer group can take the session timeout (30 s) after a processor
  // died without leaving it, and the intake must not wait for that — hits are accepted and wait on the
  // bus meanwhile, and /readyz says the processor is joining (kafka-bus.ts). A consume loop that
  // cannot start is fatal, as before, only no longer before the process listens.
  bus
    .consume(handler, { maxRecords: config.BATCH_MAX_HITS })
    .catch((err: unknown) =>
      opts.onFatal(new ScalehouseError(`the processor cannot consume the bus: ${errorMessage(err)}`, { cause: err })),
    );
  return thread;
}
