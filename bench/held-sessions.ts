/**
 * Run with `node --expose-gc --import tsx` by bench/memory.ts: the processor's
 * own part of the memory benchmark. Reads the benchmark's log, processes it as
 * the processor does (processor/batch/process-batch.ts, in batches of the
 * size bench:memory posts), keeping the session state only, and prints what
 * the held sessions take once the batches are gone: the heap and the typed
 * arrays they are packed in (processor/batch/held-slots.ts), after a full
 * collection, in bytes per held session. The process-wide growth bench:memory
 * measures also holds what the embedded engine and the allocator keep.
 *
 *   node --expose-gc --import tsx bench/held-sessions.ts LOG SITE BATCH_LINES
 */
import { readFileSync } from 'node:fs';
import { encodeHit, logHit } from '../common/hit.ts';
import { processBatch } from '../processor/batch/process-batch.ts';
import { emptySessionState, type SessionState } from '../processor/batch/sessionize.ts';

const [file, site, batchLines] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 5_000)];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const SALT = Buffer.alloc(32, 9);

/** In a function of its own, so no frame keeps the lines, records or rows alive once it returns. */
function hold(): SessionState {
  const state = emptySessionState();
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const now = Date.now();
  for (let i = 0; i < lines.length; i += batchLines) {
    const records = lines.slice(i, i + batchLines).map((line, k) => ({
      value: encodeHit(logHit(site, line, { receivedAt: now })),
      position: `bench@${i + k}`,
      offset: i + k,
    }));
    processBatch(records, state, { saltFor: () => SALT, sessionTimeoutMs: 30 * 60_000, now, stream: 'bench' });
  }
  return state;
}

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
gc();
const before = used();
const state = hold();
gc();
const after = used();
let sessions = 0;
for (const key of state.byVisitor.keys()) sessions += state.byVisitor.get(key)!.length;
process.stdout.write(JSON.stringify({ sessions, bytesPerSession: Math.round((after - before) / sessions) }));
