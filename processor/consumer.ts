/**
 * The processor as a bus consumer on the caller's own thread: every batch the
 * bus delivers goes through the batch handler, in two phases (the next batch
 * prepared while the last one loads, bus/pipeline.ts); the bus commits it
 * only once it loaded. `scalehouse start` and `processor` put the handler on
 * a thread of its own instead (cli/processor-thread/); the tests build
 * in-process pipelines with this.
 */
import type { Bus } from '../bus/bus.ts';
import { createBatchHandler, type HandlerDeps, type ProcessorCounters } from './batch/batch-handler.ts';

export async function startProcessor(deps: Omit<HandlerDeps, 'deadLetter'> & { bus: Bus; maxRecords: number }): Promise<ProcessorCounters> {
  const { prepare, counters } = createBatchHandler({ ...deps, deadLetter: deps.bus.deadLetter?.bind(deps.bus) });
  await deps.bus.consume({ prepare }, { maxRecords: deps.maxRecords });
  return counters;
}
