/** Debian's Chromium for the browser tests (installed by apt-get when missing), launched headless as every test here needs it. */
import { chromium, type Browser } from 'playwright-core';
import { ensureDebianProgram } from './debian.ts';

/** `extraArgs`: e.g. `--user-agent=…`, the browser's own user agent, which beacons sent while a page unloads go out with. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureDebianProgram(['/usr/bin/chromium', '/usr/bin/chromium-browser'], 'chromium'),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
