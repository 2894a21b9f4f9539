/**
 * Imports a historical access log (plain or gzip) through the same batch
 * handler as live traffic, without the bus: lines are read in batches of a
 * fixed size, and each batch's deduplication token is the file's SHA-256 plus
 * the batch number — so replaying the same file again (even after an
 * interrupted run) adds nothing twice; the summary says how many lines were
 * new (new-lines.ts).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { selectRows } from '../../clickhouse/query.ts';
import { logHit } from '../../common/hit.ts';
import type { BusRecord } from '../../bus/bus.ts';
import { createBatchHandler, type Program } from '../batch/batch-handler.ts';
import { emptySessionState } from '../batch/sessionize.ts';
import type { StatRow } from '../load/rows.ts';
import { countsLines } from '../load/refusals.ts';
import type { SaltStore } from '../state/salt-store.ts';
import type { HostStore } from '../state/host-store.ts';
import type { CountryOf } from '../../common/country.ts';
import { newLineCounter } from './new-lines.ts';
import { lineLimits, NotALogError, type LineLimits } from './log-lines.ts';
import { openLogFile } from './open-log-file.ts';

/** Outcomes of every line read; `newLines` of them were not loaded by an earlier run (the rest ClickHouse dropped as duplicates). */
export interface ReplaySummary {
  file: string;
  lines: number;
  newLines: number;
  events: number;
  bots: number;
  optedOut: number;
  deadLetters: number;
  seconds: number;
}
/** `bytesRead`: of the lines handed to the pipeline (of a .gz file: compressed bytes read so far). */
export interface ReplayProgress {
  bytesRead: number;
  bytesTotal: number;
  lines: number;
}

/**
 * The file's SHA-256, and a first read of all its lines: a file that is not a
 * log (NotALogError) is refused before anything of it is loaded — loaded in
 * part, a file fixed and replayed again would not match its tokens — and
 * before a replay seed is stored for it.
 */
async function checkLogFile(path: string, limits: LineLimits): Promise<string> {
  const hash = createHash('sha256');
  for await (const _line of openLogFile(path, limits, (chunk) => hash.update(chunk)).lines) {
    /* read through */
  }
  return hash.digest('hex');
}

/**
 * Lines per batch. Fixed, not configurable: the tokens name batch numbers, so
 * the same file must always be cut the same way for a second run to match.
 */
export const REPLAY_BATCH_LINES = 5000;
/**
 * Lines a batch when the engine does the per-line work (PROCESSOR_PROGRAM auto or engine): its fixed cost per
 * batch pays off only in big ones. The batch size is part of the replay's tokens, so a file imported before
 * under the other size is not recognised as loaded.
 */
export const ENGINE_REPLAY_BATCH_LINES = 50_000;

/** LOG_LINE_MAX_BYTES' default (common/config.ts), for callers without a configuration. */
const DEFAULT_MAX_LINE_BYTES = 65_536;

function addOutcomes(summary: ReplaySummary, stats: StatRow[]): void {
  for (const s of stats.filter(countsLines)) {
    if (s.outcome === 'event') summary.events += s.count;
    else if (s.reason === 'bot') summary.bots += s.count;
    else if (s.reason === 'opted_out') summary.optedOut += s.count;
    else if (s.outcome === 'dead_letter') summary.deadLetters += s.count;
  }
}

export async function replayFile(
  ch: ClickHouse,
  path: string,
  opts: {
    site: string;
    salts: SaltStore;
    hosts?: HostStore;
    countryOf?: CountryOf;
    sessionTimeoutMs: number;
    sessionReorderMs?: number;
    program?: Program;
    batchLines?: number;
    /** LOG_LINE_MAX_BYTES: a longer line is a dead letter (`line_too_long`). */
    maxLineBytes?: number;
    onProgress?: (p: ReplayProgress) => void;
  },
): Promise<ReplaySummary> {
  const batchLines = opts.batchLines ?? (opts.program && opts.program !== 'javascript' ? ENGINE_REPLAY_BATCH_LINES : REPLAY_BATCH_LINES);
  const limits = lineLimits(path, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const started = Date.now();
  const bytesTotal = (await stat(path)).size;
  const fileHash = await checkLogFile(path, limits);
  const seed = await opts.salts.useReplaySeed(fileHash);
  try {
    return await replayLines(ch, path, { ...opts, batchLines, limits, started, bytesTotal, fileHash }, seed);
  } catch (err) {
    // The file changed under us since it was checked. Run again it fails the same way: its seed is of no use.
    if (err instanceof NotALogError) await seed.done();
    throw err;
  }
}

async function replayLines(
  ch: ClickHouse,
  path: string,
  opts: Parameters<typeof replayFile>[2] & {
    batchLines: number;
    limits: LineLimits;
    started: number;
    bytesTotal: number;
    fileHash: string;
  },
  seed: { done: () => Promise<void> },
): Promise<ReplaySummary> {
  const { batchLines, started, bytesTotal, fileHash } = opts;
  const summary: ReplaySummary = { file: path, lines: 0, newLines: 0, events: 0, bots: 0, optedOut: 0, deadLetters: 0, seconds: 0 };
  const fresh = newLineCounter(ch, opts.site, started);
  // Sessions of a replay belong to no bus stream: none is restored, and none is continued later.
  const { prepare } = createBatchHandler({
    ch,
    salts: opts.salts,
    hosts: opts.hosts,
    countryOf: opts.countryOf,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    sessionReorderMs: opts.sessionReorderMs,
    program: opts.program,
    restore: async () => emptySessionState(),
    onLoaded: (stats) => addOutcomes(summary, stats),
  });
  const { raw, lines } = openLogFile(path, opts.limits);
  const gzip = path.endsWith('.gz');
  // The stream reads ahead of the lines (a small file at once, so its bar said 100% at 0 lines):
  // progress counts the bytes of the lines loaded, where those are the file's own bytes.
  let lineBytes = 0;
  let batchBytes = 0;
  const progress = (lineCount: number, bytes: number) =>
    opts.onProgress?.({ bytesRead: gzip ? raw.bytesRead : Math.min(bytes, bytesTotal), bytesTotal, lines: lineCount });
  let records: BusRecord[] = [];
  let batchNo = 0;

  const tokenPrefix = `replay:${fileHash}:${opts.site}:${batchLines}:`;
  // One batch loads while the next is processed (the engine inserts on a thread of its own); loads
  // run in order. If one fails the replay stops: run again, it redoes every batch under the same tokens.
  let loading: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (records.length === 0) return;
    const prepared = await prepare({ records, token: `${tokenPrefix}${batchNo}`, stream: '' });
    await loading;
    progress(summary.lines - records.length, lineBytes - batchBytes);
    batchBytes = 0;
    const n = records.length;
    loading = fresh.load(n, () => prepared.load());
    loading.catch(() => {}); // awaited at the next batch or the end; not an unhandled rejection meanwhile
    batchNo++;
    records = [];
  };

  const from = { receivedAt: Date.now() };
  for await (const { text: line, bytes: length, cut } of lines) {
    if (line.trim() === '') continue;
    summary.lines++;
    const bytes = length + 1;
    lineBytes += bytes;
    batchBytes += bytes;
    // The hit's line is the cleaned one (common/hit.ts): a dead letter keeps that, not a NUL of the file.
    const hit = logHit(opts.site, line, from);
    records.push({ value: hit.line, hit, position: `${path}:${summary.lines}`, offset: summary.lines, ...(cut ? { cut } : {}) });
    if (records.length >= batchLines) await flush();
  }
  await flush();
  await loading;
  progress(summary.lines, bytesTotal);
  summary.newLines = fresh.added;
  await seed.done();
  // Hits loaded as human before their visitor was found to be a bot count as bots in the end.
  const [moved] = await selectRows<{ moved: number | string }>(ch, 'queries/replay-moved-hits.sql', { prefix: tokenPrefix });
  summary.events -= Number(moved?.moved ?? 0);
  summary.bots += Number(moved?.moved ?? 0);
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
