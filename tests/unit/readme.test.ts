/** The README's configuration table stays in step with the settings the code reads. */
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SETTINGS } from '../../common/config.ts';

it('documents every setting with its default', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const [key, s] of Object.entries(SETTINGS)) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    expect(row, `README row for ${key}`).toBeDefined();
    expect(row).toContain(s.default === '' ? '_(empty)_' : `\`${s.default}\``);
  }
});

it('is what CI runs: .ci/run ends with the README test command', () => {
  const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
  expect(ci.trim().split('\n').at(-1)).toBe('npm test');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  expect(readme).toContain('```sh\nnpm test\n```');
});
