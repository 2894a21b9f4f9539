/**
 * One bus record per line: 8 hex digits of CRC-32, a space, the JSON, "\n".
 * JSON.stringify never emits a raw newline, so lines frame records; the CRC
 * tells a record torn by a crash (or damaged on disk) from a whole one.
 */
import { crc32 } from 'node:zlib';

export function encodeRecord(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const head = Buffer.from(crc32(body).toString(16).padStart(8, '0') + ' ', 'ascii');
  return Buffer.concat([head, body, Buffer.from('\n')]);
}

/** Decodes one line (without its "\n"). */
export function decodeRecord(line: Buffer): { value: string } | { damaged: string } {
  // Zero bytes before a record are what a file system leaves of an interrupted write after a crash.
  if (line[0] === 0)
    line = line.subarray(
      Math.max(
        0,
        line.findIndex((b) => b !== 0),
      ),
    );
  if (line.length < 9 || line[8] !== 0x20) return { damaged: 'bus record without checksum' };
  const body = line.subarray(9);
  const expected = line.subarray(0, 8).toString('ascii');
  if (crc32(body).toString(16).padStart(8, '0') !== expected) return { damaged: 'bus record checksum mismatch' };
  return { value: body.toString('utf8') };
}
