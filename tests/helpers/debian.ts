/**
 * Tests that need a Debian program (nginx, chromium) install it when it is
 * missing and they run as root, as on this project's machines — so that
 * `npm install && npm test` passes on a fresh one — and otherwise say
 * exactly what to install. Installs are serialised with flock: two test
 * files must not run apt at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function ensureDebianProgram(candidates: string[], pkg: string): string {
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error(`${pkg} is not installed: run "sudo apt-get install ${pkg}" (.ci/run does)`);
  execFileSync(
    'flock',
    ['/tmp/scalehouse-apt.lock', 'sh', '-c', `apt-get update -q && apt-get install -y -q --no-install-recommends ${pkg}`],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    },
  );
  const installed = candidates.find((p) => existsSync(p));
  if (!installed) throw new Error(`installed ${pkg}, but found none of ${candidates.join(', ')}`);
  return installed;
}
