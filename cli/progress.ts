/**
 * A one-line progress bar on a terminal (redrawn in place), or a line every
 * few seconds when stderr is a file or pipe, so CI logs stay readable.
 */
export function progressBar(label: string) {
  const tty = process.stderr.isTTY === true;
  let lastPrint = 0;
  const started = Date.now();
  return {
    update(done: number, total: number, detail: string) {
      const now = Date.now();
      if (!tty && now - lastPrint < 5000) return;
      lastPrint = now;
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.');
      const secs = ((now - started) / 1000).toFixed(0);
      const text = `${label} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${detail} ${secs}s`;
      process.stderr.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
