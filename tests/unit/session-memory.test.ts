/**
 * Memory of open sessions (issue: 100k open sessions): a held session keeps
 * copies of the strings it needs, not the raw lines they were cut from.
 * Measured in a child process with --expose-gc, so the heap is collected
 * before it is read (tests/helpers/held-session-memory.ts).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('open sessions', () => {
  it('do not keep the raw lines their paths, referrers and campaigns were cut from alive', () => {
    const script = fileURLToPath(new URL('../helpers/held-session-memory.ts', import.meta.url));
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '2000'], { encoding: 'utf8' })) as {
      sessions: number;
      bytesPerSession: number;
    };
    expect(out.sessions).toBe(2000);
    // Each line is 20 KB: a session that kept even one would take more than that. Its own objects take ~2 KB.
    expect(out.bytesPerSession).toBeGreaterThan(0);
    expect(out.bytesPerSession).toBeLessThan(6_000);
  });
});
