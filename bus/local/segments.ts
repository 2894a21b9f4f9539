/**
 * Segment files of the local bus: `<first record index, 20 digits>.log`, each an
 * append-only run of records (record-codec.ts). Only the last one is written;
 * older ones are deleted whole once the processor has committed past them.
 */
import { lstat, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { openDataFile } from '../../common/data-files.ts';
import { decodeRecord } from './record-codec.ts';

export interface Segment {
  start: number;
  path: string;
}

export const segmentName = (start: number): string => `${String(start).padStart(20, '0')}.log`;

export async function listSegments(dir: string): Promise<Segment[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{20}\.log$/.test(n));
  return names.map((n) => ({ start: Number(n.slice(0, 20)), path: join(dir, n) })).sort((a, b) => a.start - b.start);
}

/**
 * Counts the records of the last segment after a restart, and cuts off a torn
 * tail: bytes after the last newline are a record a crash interrupted, never
 * acknowledged (publish resolves only after the whole record is synced), so
 * dropping them loses nothing promised. Every complete line stays, damaged or
 * not: cutting at the first bad checksum would also cut the acknowledged
 * records after it. A damaged line keeps its index and is handed on as a
 * damaged record (a counted dead letter); `damaged` lists them. Read and cut
 * through one handle opened without following links (data-files.ts): a link
 * planted under a segment's name would otherwise have its target cut.
 */
export async function recoverSegment(path: string): Promise<{ records: number; bytes: number; cut: number; damaged: number[] }> {
  const fh = await openDataFile(path, 'update');
  try {
    return await recoverOpened(fh, await fh.readFile());
  } finally {
    await fh.close();
  }
}

async function recoverOpened(fh: FileHandle, data: Buffer): Promise<{ records: number; bytes: number; cut: number; damaged: number[] }> {
  let records = 0;
  let whole = 0;
  const damaged: number[] = [];
  for (let pos = 0; pos < data.length; records++) {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) break;
    if ('damaged' in decodeRecord(data.subarray(pos, nl))) damaged.push(records);
    whole = pos = nl + 1;
  }
  if (whole < data.length) await fh.truncate(whole);
  return { records, bytes: whole, cut: data.length - whole, damaged };
}

/**
 * Reads up to `count` whole records from byte `from` of a segment; returns them
 * with the byte position after the last one, so the reader resumes there.
 * `skip` records are passed over first (used once, to find a checkpoint).
 */
export async function readRecords(path: string, from: number, count: number, skip = 0): Promise<{ lines: Buffer[]; next: number }> {
  const fh = await openDataFile(path, 'read');
  const lines: Buffer[] = [];
  let next = from;
  try {
    let chunk = Buffer.alloc(4 * 1024 * 1024);
    while (lines.length < count) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, next);
      if (bytesRead === 0) break;
      let pos = 0;
      while (lines.length < count) {
        const nl = chunk.indexOf(0x0a, pos);
        if (nl < 0 || nl >= bytesRead) break;
        if (skip > 0) skip--;
        else lines.push(Buffer.from(chunk.subarray(pos, nl)));
        pos = nl + 1;
      }
      if (pos === 0) {
        if (bytesRead < chunk.length) break; // only a partial record is left
        chunk = Buffer.alloc(chunk.length * 2); // a record longer than the buffer: read it with a bigger one
        continue;
      }
      next += pos;
    }
    return { lines, next };
  } finally {
    await fh.close();
  }
}

export async function deleteSegment(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

export async function sizeOf(path: string): Promise<number> {
  // The entry itself: a link is refused when the segment is read, and its target's size is no one's business.
  return (await lstat(path)).size;
}
