/**
 * A one-line progress bar on a terminal (redrawn in place), or a line every
 * few seconds when stderr is a file or pipe, so CI logs stay readable. The
 * last line is always written, with the final figures: between two lines of
 * a pipe, or at the last redraw, the bar could stop short of the end.
 */
interface Output {
  isTTY?: boolean;
  write(text: string): unknown;
}

export function progressBar(label: string, out: Output = process.stderr) {
  const tty = out.isTTY === true;
  let lastPrint = 0;
  const started = Date.now();
  const draw = (ratio: number, detail: string, end: boolean) => {
    const width = 30;
    const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.');
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    const text = `${label} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${detail} ${secs}s`;
    out.write(tty ? `\r${text}\x1b[K${end ? '\n' : ''}` : `${text}\n`);
  };
  return {
    update(done: number, total: number, detail: string) {
      const now = Date.now();
      if (!tty && now - lastPrint < 5000) return;
      lastPrint = now;
      draw(total > 0 ? Math.min(1, done / total) : 0, detail, false);
    },
    /** The final line: all done, `detail` the final figures. */
    done(detail: string) {
      draw(1, detail, true);
    },
  };
}
