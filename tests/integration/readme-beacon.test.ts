/**
 * The README's curl example of a beacon, run as written (on the test's port)
 * by the real curl against a real `scalehouse start`: the pageview it names
 * shows in the stats API; without its User-Agent line the same beacon is
 * answered 202 and counted as a bot's hit, not a visit, as the README says.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { drainAndStop, freePort, startApp, type AppProcess } from '../helpers/app-process.ts';
import { ensureDebianProgram } from '../helpers/debian.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const EXAMPLE = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.includes('/api/event'));
const TOKEN = 'readme-beacon-test-token';

/** Runs the example's command (its comment lines left out, `drop` lines too) against `app`. */
const runExample = async (app: AppProcess, drop?: RegExp) => {
  const command = EXAMPLE!
    .split('\n')
    .filter((l) => !l.startsWith('#') && !drop?.test(l))
    .join('\n')
    .replaceAll('http://127.0.0.1:8080', app.url);
  return (await promisify(execFile)('sh', ['-c', command])).stdout;
};

const stats = async (app: AppProcess, query: string) =>
  ((await (await fetch(`${app.url}/api/stats/${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { data: any }).data;

describe('the README example of a beacon sent with curl', () => {
  it("is a pageview of its page with a browser User-Agent, and a bot hit with curl's own", async () => {
    expect(EXAMPLE, 'a sh block posting to /api/event').toBeDefined();
    ensureDebianProgram(['/usr/bin/curl'], 'curl');
    // What the example sends, read from its own body.
    const body = JSON.parse(/-d '(\{.*\})'/.exec(EXAMPLE!)![1]!) as { site: string; url: string };
    const path = new URL(body.url).pathname;
    const app = await startApp(
      { DATA_DIR: tempDir('readme-beacon'), DASHBOARD_TOKENS: createHash('sha256').update(TOKEN).digest('hex') },
      await freePort(),
    );
    try {
      const browser = await runExample(app);
      expect(browser).toMatch(/^HTTP\/1\.1 202 Accepted\r\n/);
      expect(browser.trim().endsWith('{"accepted":1}')).toBe(true);
      await waitFor(`the pageview of ${path}`, async () =>
        ((await stats(app, `pages?site=${body.site}`)) as { path: string; pageviews: number }[]).find(
          (p) => p.path === path && p.pageviews === 1,
        ),
      );

      const bot = await runExample(app, /User-Agent:/);
      expect(bot).toMatch(/^HTTP\/1\.1 202 Accepted\r\n/);
      await waitFor('the bot hit of curl', async () =>
        ((await stats(app, `bots?site=${body.site}`)) as { bot: string; hits: number }[]).find((b) => b.bot === 'curl' && b.hits === 1),
      );
      const overview = (await stats(app, `overview?site=${body.site}`)) as { current: { pageviews: number; visits: number } };
      expect(overview.current).toMatchObject({ pageviews: 1, visits: 1 });
    } finally {
      await drainAndStop(app);
    }
  });
});
