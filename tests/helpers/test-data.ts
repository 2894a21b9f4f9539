/**
 * Where the real-world test data is: access logs, user-agent corpora and
 * referrer lists from public repositories (their README gives sources and
 * licences). They are read in place and never copied into the project:
 * `SCALEHOUSE_TEST_DATA` when set, else `../shared/data` beside the clone,
 * which CI always has. No vitest here: vitest.config.ts reads it too, to
 * leave out the tests that need the data where it is absent.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export const TEST_DATA = resolve(REPO, process.env.SCALEHOUSE_TEST_DATA || '../shared/data');

export const hasTestData = (): boolean => existsSync(resolve(TEST_DATA, 'logs'));
