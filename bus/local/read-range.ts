/**
 * Reads the records [from, to) of the local bus, continuing from where the
 * last read stopped when it can (a cursor: segment and byte), so reading a
 * long log is linear. Records the log does not hold — before its first
 * segment (deleted by hand), past the end of a segment (damage ate a
 * newline), or past the end of the log (lost before a restart) — are handed
 * on as damaged, counted dead letters, never waited for: a stall here would
 * stop the processor for good.
 */
import { log } from '../../common/log.ts';
import type { BusRecord } from '../bus.ts';
import { decodeRecord } from './record-codec.ts';
import { readRecords, type Segment } from './segments.ts';

export interface Cursor {
  segment: number;
  byte: number;
  index: number;
}
export const NO_CURSOR: Cursor = { segment: -1, byte: 0, index: -1 };

export async function readRange(
  segments: Segment[],
  from: number,
  to: number,
  cursor: Cursor,
): Promise<{ records: BusRecord[]; after: Cursor }> {
  const records: BusRecord[] = [];
  let index = from;
  let { segment, byte } = cursor.index === from ? cursor : NO_CURSOR;
  while (index < to) {
    const seg = segments.findLast((s) => s.start <= index);
    const resume = seg !== undefined && seg.start === segment;
    const { lines, next } = seg
      ? await readRecords(seg.path, resume ? byte : 0, to - index, resume ? 0 : index - seg.start)
      : { lines: [], next: 0 };
    if (!seg || lines.length === 0) {
      const upTo = Math.min(to, segments.find((x) => x.start > index)?.start ?? to);
      log.warn('local bus: records missing from the log are handed on as lost', { from: index, to: upTo });
      for (; index < upTo; index++) {
        records.push({ value: '', position: `local:${index}`, offset: index, damaged: 'bus record lost: the log does not hold it' });
      }
      continue;
    }
    for (const line of lines) {
      const rec = decodeRecord(line);
      records.push(
        'value' in rec
          ? { value: rec.value, position: `local:${index}`, offset: index }
          : { value: line.toString('utf8'), position: `local:${index}`, offset: index, damaged: rec.damaged },
      );
      index++;
    }
    segment = seg.start;
    byte = next;
  }
  return { records, after: { segment, byte, index } };
}
