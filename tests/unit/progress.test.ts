/** The replay progress bar ends on its final figures, on a terminal and in a pipe alike. */
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../cli/progress.ts';

const captured = (isTTY: boolean) => {
  const writes: string[] = [];
  return { out: { isTTY, write: (t: string) => writes.push(t) }, writes };
};

describe('progress bar', () => {
  for (const isTTY of [true, false]) {
    it(`ends with the real total after the last update (${isTTY ? 'terminal' : 'pipe'})`, () => {
      const { out, writes } = captured(isTTY);
      const bar = progressBar('access.log', out);
      bar.update(50, 100, '5000 lines');
      bar.done('5854 lines');
      const last = writes.at(-1)!;
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC [K, erase in line, ends the bar on a terminal
      expect(last).toMatch(/access\.log \[#{30}\] 100% 5854 lines \d+s(\x1b\[K)?\n$/);
      if (isTTY) expect(writes.every((w) => w.startsWith('\r'))).toBe(true);
    });
  }
});
