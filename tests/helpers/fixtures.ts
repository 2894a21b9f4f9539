/**
 * Paths of the real-world data the tests and benches read in place
 * (test-data.ts; the data's own README says where each file comes from).
 * What each log is good for: hackers-access.log is mostly attack bots faking
 * browser user agents (Oct 2015, +0100); secrepo-2021.log has many crawlers
 * and escaped quotes inside fields (-0700); every line of
 * secrepo-2018-12-15.log ends with a trailing space (-0800).
 */
import { join } from 'node:path';
import { TEST_DATA } from './test-data.ts';

export const fixture = (relative: string): string => join(TEST_DATA, relative);

export const LOG_FILES = ['hackers-access.log', 'secrepo-2021.log', 'secrepo-2018-12-15.log'] as const;
