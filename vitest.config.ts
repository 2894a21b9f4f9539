import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { hasTestData, TEST_DATA } from './tests/helpers/test-data.ts';

/** Test files that read the real-world data (they import tests/helpers/fixtures.ts). */
const needingData = (): string[] =>
  (readdirSync('tests', { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('tests', f))
    .filter((f) => /helpers\/fixtures\.ts'/.test(readFileSync(f, 'utf8')));

// Where the data is absent (a clone without ../shared beside it), those tests are left out, said
// once here, and everything else runs; CI always has the data.
const skipped = hasTestData() ? [] : needingData();
if (skipped.length > 0) {
  process.stderr.write(
    `${skipped.length} test files that read real-world data skipped: ${TEST_DATA} not found (set SCALEHOUSE_TEST_DATA to its folder)\n`,
  );
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...skipped],
    globalSetup: ['tests/global-setup.ts'],
    // Each test file runs in its own process: the embedded ClickHouse engine is a per-process singleton.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
