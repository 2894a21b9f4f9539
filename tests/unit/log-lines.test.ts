/**
 * The bounded line reader of replay and explain (processor/replay/log-lines.ts)
 * cuts a file into the lines node:readline (crlfDelay: Infinity) made of it —
 * the batch tokens of a replay count lines, so a file replayed before must be
 * cut the same way — however the stream is chunked, and cuts long lines at the
 * limit instead of holding them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { lineLimits, NotALogError, readLogLines } from '../../processor/replay/log-lines.ts';

const chunked = (bytes: Buffer, size: number) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));
const withReadline = async (bytes: Buffer, size: number) => {
  const out: string[] = [];
  for await (const l of createInterface({ input: chunked(bytes, size), crlfDelay: Infinity })) out.push(l);
  return out;
};
const withReader = async (bytes: Buffer, size: number, max = 65_536) => {
  const out = [];
  for await (const l of readLogLines(chunked(bytes, size), lineLimits('test', max))) out.push(l);
  return out;
};

const BREAKS = [
  'a\nb\n',
  'a\r\nb\r\n',
  'a\rb\r',
  'a\r\r\nb',
  '\n\n\na',
  'a\r\n\r\nb\n\r',
  'no break at the end',
  '',
  '\r\n',
  'é\r\nü\nç',
  `${readFileSync(fixture(`logs/${LOG_FILES[0]}`), 'utf8')
    .slice(0, 20_000)
    .replace(/\n/g, (_, i: number) => (i % 3 === 0 ? '\r\n' : i % 3 === 1 ? '\n' : '\r'))}`,
];

describe('readLogLines', () => {
  it.each(BREAKS.flatMap((text) => [1, 2, 3, 7, 4096].map((size) => [JSON.stringify(text.slice(0, 30)), size, text] as const)))(
    'cuts %s in chunks of %i as readline does',
    async (_name, size, text) => {
      const bytes = Buffer.from(text);
      const lines = await withReader(bytes, size);
      expect(lines.map((l) => l.text)).toEqual(await withReadline(bytes, size));
      expect(lines.map((l) => l.bytes)).toEqual(lines.map((l) => Buffer.byteLength(l.text)));
    },
  );

  it('keeps the first kilobyte of a line over the limit, on a character boundary, and says how long it was', async () => {
    const long = `${'ü'.repeat(5000)}\n`;
    expect(await withReader(Buffer.from(long), 100, 4096)).toEqual([
      { text: 'ü'.repeat(512), bytes: 10_000, cut: 'line of 10000 bytes, longer than 4096 (LOG_LINE_MAX_BYTES): kept its first 1024' },
    ]);
  });

  it('keeps less where the limit is under a kilobyte', async () => {
    const text = `short\n${'é'.repeat(200)}\nnext\n`;
    expect(await withReader(Buffer.from(text), 5, 301)).toEqual([
      { text: 'short', bytes: 5 },
      { text: 'é'.repeat(150), bytes: 400, cut: 'line of 400 bytes, longer than 301 (LOG_LINE_MAX_BYTES): kept its first 301' },
      { text: 'next', bytes: 4 },
    ]);
  });

  it('refuses a line 16 times the limit as no log, before reading further', async () => {
    let served = 0;
    const endless = new Readable({
      read() {
        served += 1000;
        this.push(Buffer.alloc(1000, 0x61));
      },
    });
    await expect(withReaderOf(endless, 1000)).rejects.toThrow(
      new NotALogError(
        'test: line 1 runs past 16000 bytes without a line break: this is not a text access log ' +
          '(is it binary, or a compressed file that expands without end?). Lines longer than 1000 bytes (LOG_LINE_MAX_BYTES) are dead letters; none is 16 times that.',
      ),
    );
    expect(served).toBeLessThan(16_000 + 64 * 1024);
  });
});

async function withReaderOf(input: Readable, max: number) {
  for await (const _ of readLogLines(input, lineLimits('test', max))) {
    /* read through */
  }
}
