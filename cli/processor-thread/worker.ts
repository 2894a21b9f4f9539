/**
 * The processor's own thread. It opens its own handle on ClickHouse (in
 * embedded mode a second session of the same in-process engine) and runs
 * the one batch handler every way in uses; the thread that owns the bus
 * has it prepare batches, then load (or discard) them, and commits each once
 * it is loaded — the next batch is prepared while the last one loads. Parsing, enrichment
 * and sessionization no longer share an event loop with the collector, so a
 * beacon's 202 never waits for them, and the two cores both work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BusBatch, DeadLetter, PreparedBatch } from '../../bus/bus.ts';
import { connectClickHouse } from '../../clickhouse/connect.ts';
import { ScalehouseError, errorMessage, isRetriable } from '../../common/errors.ts';
import { configureLog } from '../../common/log.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { processorSettings } from '../processor-settings.ts';
import type { FromWorker, ToWorker, WorkerInput } from './messages.ts';
import type { BatchReport } from '../../server/metrics.ts';
import { batchReport } from './batch-report.ts';

const port = parentPort!;
const { config, deadLetters, log: logging } = workerData as WorkerInput;
const send = (m: FromWorker) => port.postMessage(m);
// The starting thread's logger, and a field on every line saying it comes from this thread.
configureLog({ ...logging, context: { ...logging.context, thread: 'processor' } });

// Dead letters for the bus's own destination go back to the thread that holds the bus.
let nextId = 0;
const waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
const deadLetter = (items: DeadLetter[], batch: BusBatch) =>
  new Promise<void>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve, reject });
    send({ type: 'dead-letter', id, items, batch });
  });

try {
  // The schema is the starting thread's business: it migrated before starting this one.
  const ch = await connectClickHouse(config);
  let report: BatchReport | undefined;
  const { prepare, counters, openSessions } = createBatchHandler({
    ch,
    salts: new SaltStore(ch),
    ...(await processorSettings(config, ch)),
    deadLetter: deadLetters ? deadLetter : undefined,
    onLoaded: (stats, loadSeconds) => (report = batchReport(stats, loadSeconds)),
  });
  // Batches prepared and not yet loaded or discarded, by the id the bus's thread gave them.
  const prepared = new Map<number, PreparedBatch>();
  const failure = (err: unknown) => ({ error: errorMessage(err), retriable: isRetriable(err) });
  port.on('message', (m: ToWorker) => {
    switch (m.type) {
      case 'dead-lettered': {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (m.error === undefined) w?.resolve();
        else w?.reject(new ScalehouseError(m.error, { retriable: m.retriable }));
        return;
      }
      case 'prepare':
        return void prepare(m.batch).then(
          (p) => {
            prepared.set(m.id, p);
            send({ type: 'prepared', id: m.id });
          },
          (err: unknown) => send({ type: 'prepared', id: m.id, ...failure(err) }),
        );
      case 'discard': {
        const p = prepared.get(m.id);
        prepared.delete(m.id);
        return void (p?.discard() ?? Promise.resolve()).then(
          () => send({ type: 'discarded', id: m.id }),
          (err: unknown) => send({ type: 'discarded', id: m.id, ...failure(err) }),
        );
      }
      case 'load': {
        const p = prepared.get(m.id);
        prepared.delete(m.id);
        report = undefined;
        const loaded = p ? p.load() : Promise.reject(new ScalehouseError(`no prepared batch ${m.id} to load`));
        return void loaded.then(
          () => send({ type: 'handled', id: m.id, counters, openSessions: openSessions(), report }),
          (err: unknown) => send({ type: 'handled', id: m.id, counters, openSessions: openSessions(), ...failure(err) }),
        );
      }
    }
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'failed-to-start', error: errorMessage(err) });
}
