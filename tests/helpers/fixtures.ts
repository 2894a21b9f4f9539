/** Paths of the real-world fixtures (tests/fixtures/README.md says where each comes from). */
import { fileURLToPath } from 'node:url';

export const fixture = (relative: string): string => fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));

export const LOG_FILES = ['hackers-access.log', 'secrepo-2021.log', 'secrepo-2018-12-15.log'] as const;
