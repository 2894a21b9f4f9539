/**
 * A benchmark's temp folder, removed when the benchmark is interrupted
 * (Ctrl-C, SIGTERM) after `beforeRemove` has stopped what uses it: a data
 * folder of 100M events is 7 GB. The benchmark removes it itself when done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function benchTempDir(name: string, beforeRemove: () => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), `scalehouse-bench-${name}-`));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      beforeRemove();
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  return dir;
}
