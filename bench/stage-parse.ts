/**
 * Benchmark: the parse step in JavaScript (parseHit on every record, after
 * decoding it, as processor/batch/run-records.ts does) against the parse in
 * the engine with its JavaScript fallback (processor/stage/parse-staged.ts),
 * side by side on the same bus records: the import bench's mostly-bot log
 * (build-log.ts), as replay wraps each line in a Hit, in batches of 5,000.
 * Pairs (one pass of each), medians; the share of records the engine parsed;
 * and what building the staged payload (stage-payload.ts, the TSV bytes)
 * costs a line, which is part of the engine's figure. Prints only.
 *
 *   npm run bench:stage-parse      (BENCH_LINES=100000, BENCH_PAIRS=3, BENCH_BATCH=5000)
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BusRecord } from '../bus/bus.ts';
import { decodeHit, encodeHit, logHit } from '../common/hit.ts';
import { parseStaged } from '../tests/helpers/parse-staged.ts';
import { buildStagePayload } from '../processor/stage/stage-payload.ts';
import { parseHit } from '../processor/steps/parse.ts';
import { buildLog } from './build-log.ts';
import { openEngine } from './open-engine.ts';
import { benchTempDir } from './temp-dir.ts';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (ms: number): string => `${Math.round(LINES / (ms / 1000)).toLocaleString('en')} lines/s`;

const dir = benchTempDir('stage-parse');
try {
  const file = join(dir, 'access.log');
  await buildLog(file, LINES);
  const receivedAt = Date.now();
  const records: BusRecord[] = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line, i) => ({ value: encodeHit(logHit('bench.example', line, { receivedAt })), position: `bench@${i}`, offset: i }));
  const batches = Array.from({ length: Math.ceil(records.length / BATCH) }, (_, i) => records.slice(i * BATCH, (i + 1) * BATCH));
  const ch = await openEngine(join(dir, 'data'));
  try {
    const js: number[] = [];
    const staged: number[] = [];
    let fast = 0;
    for (let pair = 0; pair < PAIRS; pair++) {
      let t = performance.now();
      for (const batch of batches) {
        for (const r of batch) {
          const hit = decodeHit(r.value);
          if (!('invalid' in hit)) parseHit(hit);
        }
      }
      js.push(performance.now() - t);
      t = performance.now();
      fast = 0;
      for (const batch of batches) fast += (await parseStaged(ch, batch)).filter((p) => p.fast).length;
      staged.push(performance.now() - t);
    }
    let t = performance.now();
    for (const batch of batches) buildStagePayload(batch);
    const payloadUs = ((performance.now() - t) * 1000) / records.length;
    t = performance.now();
    console.log(
      `stage-parse: ${records.length.toLocaleString('en')} records of the mostly-bot log, batches of ${BATCH}, ${PAIRS} pairs (medians)`,
    );
    console.log(`  parseHit on every record:         ${rate(median(js))}   (runs: ${js.map((ms) => Math.round(ms)).join(', ')} ms)`);
    console.log(
      `  parseStaged (engine + fallback):  ${rate(median(staged))}   (runs: ${staged.map((ms) => Math.round(ms)).join(', ')} ms)`,
    );
    console.log(`  ratio staged/JS:                  ${(median(js) / median(staged)).toFixed(2)}×`);
    console.log(
      `  fast path: ${fast.toLocaleString('en')} of ${records.length.toLocaleString('en')} (${((100 * fast) / records.length).toFixed(1)}%)`,
    );
    console.log(`  building the TSV payload: ${payloadUs.toFixed(2)} µs a line (inside the staged figure)`);
  } finally {
    await ch.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
