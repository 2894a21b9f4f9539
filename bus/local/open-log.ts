/**
 * Opens the local bus's folder after a start or a crash: its id, the
 * consumer's checkpoint, and the segments, with the last one recovered — a
 * torn tail (never acknowledged) cut off, every whole record kept, damaged
 * ones left in place to be handed on as dead letters. A new record never gets
 * an index the consumer has already passed or recorded as in flight: if the
 * log ends before that point, records were lost, and writing goes on after it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { log } from '../../common/log.ts';
import { readJsonFile, readOrCreateStateFile } from '../../common/state-files.ts';
import { listSegments, recoverSegment, sizeOf, type Segment } from './segments.ts';
import type { SegmentWriter } from './segment-writer.ts';

export interface Range {
  from: number;
  to: number;
}

export interface Checkpoint {
  /** The first record not yet committed. */
  next: number;
  /** The ranges recorded and not committed, in order (at most two: one loading, the next being prepared). */
  inflight: Range[];
}

/** A checkpoint as written; before the drain overlapped loading, `inflight` was one range or null. */
export function readCheckpoint(stored: { next: number; inflight: Range | Range[] | null } | undefined): Checkpoint {
  if (!stored) return { next: 0, inflight: [] };
  const { next, inflight } = stored;
  return { next, inflight: Array.isArray(inflight) ? inflight : inflight ? [inflight] : [] };
}

export interface OpenedLog {
  busId: string;
  checkpoint: Checkpoint;
  segments: Segment[];
  durable: number;
  diskBytes: number;
}

export const checkpointPath = (dir: string): string => join(dir, 'consumer.json');

export async function openLog(dir: string, writer: SegmentWriter): Promise<OpenedLog> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The id keeps tokens unique if the bus folder is ever wiped while ClickHouse keeps its data.
  const busId = (
    await readOrCreateStateFile(
      {
        path: join(dir, 'bus-id'),
        what: 'the local bus id',
        whyKept: 'it is part of every deduplication token, and a new one would load unfinished batches twice',
      },
      () => randomUUID(),
    )
  ).value;
  const checkpoint = readCheckpoint(await readJsonFile<Parameters<typeof readCheckpoint>[0]>(checkpointPath(dir)));
  const segments = await listSegments(dir);
  let durable = 0;
  let diskBytes = 0;
  const last = segments.at(-1);
  if (last) {
    // Only the last segment can end in a torn write; older ones are whole by construction, and a
    // record damaged on disk there is handed on as `damaged` (a dead letter), never cut off.
    for (const seg of segments.slice(0, -1)) diskBytes += await sizeOf(seg.path);
    const tail = await recoverSegment(last.path);
    if (tail.cut)
      log.warn('local bus: dropped a torn, unacknowledged record at the end of the log', { bytes: tail.cut, segment: last.path });
    if (tail.damaged.length)
      log.warn('local bus: damaged records kept as dead letters', { offsets: tail.damaged.map((i) => last.start + i) });
    durable = last.start + tail.records;
    diskBytes += tail.bytes;
    await writer.resume(last, tail.bytes);
  }
  const reached = Math.max(checkpoint.next, ...checkpoint.inflight.map((r) => r.to));
  if (!last || durable < reached) {
    if (last)
      log.warn('local bus: the log ends before the position the processor reached; those records are lost, new ones go after it', {
        logEnds: durable,
        processorAt: reached,
      });
    durable = Math.max(durable, reached);
    segments.push(await writer.roll(durable));
  }
  return { busId, checkpoint, segments, durable, diskBytes };
}
