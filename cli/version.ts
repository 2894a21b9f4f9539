/**
 * The version of Scalehouse: package.json's, read beside the sources or from
 * the copy the build puts in dist/ (scripts/build.mjs), the same path from both.
 */
import { readFileSync } from 'node:fs';

export function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
