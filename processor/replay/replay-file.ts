/**
 * Imports a historical access log (plain or gzip) straight through the
 * processor pipeline into ClickHouse, without the bus: lines are read in
 * batches of a fixed size, and each batch's deduplication token is the file's
 * SHA-256 plus the batch number — so replaying the same file again (even after
 * an interrupted run) adds nothing twice.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { HIT_VERSION, type LogHit } from '../../common/hit.ts';
import type { BusRecord } from '../../bus/bus.ts';
import { processBatch } from '../process-batch.ts';
import { loadOrDeadLetter } from '../load/load-batch.ts';
import type { SessionState } from '../steps/sessionize.ts';
import type { SaltStore } from '../salt-store.ts';

export interface ReplaySummary { file: string; lines: number; events: number; bots: number; optedOut: number; deadLetters: number; seconds: number }
export interface ReplayProgress { bytesRead: number; bytesTotal: number; lines: number }

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Lines per batch. Fixed, not configurable: the tokens name batch numbers, so
 * the same file must always be cut the same way for a second run to match.
 */
export const REPLAY_BATCH_LINES = 5000;

export async function replayFile(ch: ClickHouse, path: string, opts: {
  site: string; salts: SaltStore; sessionTimeoutMs: number; batchLines?: number; onProgress?: (p: ReplayProgress) => void;
}): Promise<ReplaySummary> {
  const batchLines = opts.batchLines ?? REPLAY_BATCH_LINES;
  const started = Date.now();
  const bytesTotal = (await stat(path)).size;
  const fileHash = await sha256File(path);
  const seed = await opts.salts.useReplaySeed(fileHash);
  const raw = createReadStream(path);
  const gz = path.endsWith('.gz');
  const lines = createInterface({ input: gz ? raw.pipe(createGunzip()) : raw, crlfDelay: Infinity });
  const state: SessionState = new Map();
  const summary: ReplaySummary = { file: path, lines: 0, events: 0, bots: 0, optedOut: 0, deadLetters: 0, seconds: 0 };
  let batch: BusRecord[] = [];
  let batchNo = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const now = Date.now();
    await opts.salts.refresh();
    // Sessions of a replay belong to no bus stream: none is restored or continued later.
    const rows = processBatch(batch, state, { saltFor: opts.salts.saltFor, sessionTimeoutMs: opts.sessionTimeoutMs, now, stream: '' });
    await loadOrDeadLetter(ch, rows, batch, `replay:${fileHash}:${opts.site}:${batchLines}:${batchNo}`, now);
    for (const s of rows.stats) {
      if (s.outcome === 'event') summary.events += s.count;
      else if (s.reason === 'bot') summary.bots += s.count;
      else if (s.reason === 'opted_out') summary.optedOut += s.count;
      else if (s.outcome === 'dead_letter') summary.deadLetters += s.count;
    }
    batchNo++;
    batch = [];
    opts.onProgress?.({ bytesRead: raw.bytesRead, bytesTotal, lines: summary.lines });
  };

  const receivedAt = Date.now();
  for await (const line of lines) {
    if (line.trim() === '') continue;
    summary.lines++;
    const hit: LogHit = { v: HIT_VERSION, kind: 'log', site: opts.site, receivedAt, client: '', headers: {}, line };
    batch.push({ value: JSON.stringify(hit), position: `${path}:${summary.lines}`, offset: summary.lines });
    if (batch.length >= batchLines) await flush();
  }
  await flush();
  await seed.done();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
