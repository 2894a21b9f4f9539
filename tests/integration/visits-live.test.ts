/**
 * Sessions through a live `scalehouse start` that is killed with SIGKILL
 * twice while a day of real traffic (shuffled within the reorder window)
 * arrives over HTTP: after each restart the processor gets its unfinished
 * batch again and restores its open sessions from ClickHouse. The sessions
 * equal a replay of the same lines, and the figures equal those computed
 * from the lines themselves (tests/helpers/read-log.ts).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { DEFAULT_REORDER_MS } from '../../processor/batch/sessionize.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { dataDirClickHouse, freshClickHouse, HUMAN_EVENTS, rows } from '../helpers/clickhouse.ts';
import { drainAndStop, freePort, startApp } from '../helpers/app-process.ts';
import { fixture } from '../helpers/fixtures.ts';
import { within } from '../helpers/wait-for.ts';
import { humanLines, readCombinedLog, sessionsOf, shiftLines, shuffleWithin, visitFigures } from '../helpers/read-log.ts';
import { apiFigures, expectFigures, sessionsTable, writeLines } from '../helpers/visit-figures.ts';

const TIMEOUT = 30 * 60_000;
const TOKEN = 'visits-test-token';

describe('sessions through `scalehouse start` killed with SIGKILL', () => {
  it('are the same as a replay of the same lines, and equal the figures computed from them', async () => {
    // A day of real traffic, moved to end ten minutes ago: live hits of days whose salts are kept,
    // so visitors stay the same across processes (older days' salts are, by design, per process).
    const original = readCombinedLog(fixture('logs/secrepo-2018-12-15.log'));
    const shift = Date.now() - 10 * 60_000 - Math.max(...original.map((l) => l.ts));
    const lines = shuffleWithin(shiftLines(original, shift), DEFAULT_REORDER_MS, 7);
    const expected = visitFigures(sessionsOf(lines, TIMEOUT));
    const dir = mkdtempSync(join(tmpdir(), 'scalehouse-visits-live-'));
    try {
      const env = { DATA_DIR: join(dir, 'data'), INGEST_TOKEN: TOKEN, SITES: 'example.com', BATCH_MAX_HITS: '40' }; // small batches: killed mid-way through one
      const port = await freePort();
      let app = await startApp(env, port);
      const chunks = Array.from({ length: Math.ceil(lines.length / 100) }, (_, i) => lines.slice(i * 100, i * 100 + 100));
      const killAfter = new Set([Math.floor(chunks.length / 3), Math.floor((2 * chunks.length) / 3)]);
      for (const [i, chunk] of chunks.entries()) {
        const res = await fetch(`${app.url}/api/logs?site=example.com`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
          body: chunk.map((l) => l.raw).join('\n') + '\n',
        });
        expect(res.status).toBe(202);
        if (killAfter.has(i)) {
          app.child.kill('SIGKILL');
          await within('scalehouse start to die', app.exited);
          app = await startApp(env, port);
        }
      }
      await drainAndStop(app);

      // One data folder per process at a time: read the app's, close it, then make the reference.
      const ch = await dataDirClickHouse(env.DATA_DIR);
      const live = {
        events: await rows(ch, `SELECT count() AS n FROM ${HUMAN_EVENTS}`),
        sessions: await sessionsTable(ch),
        figures: await apiFigures(ch, lines),
      };
      await ch.close();
      const reference = await freshClickHouse();
      await replayFile(reference, writeLines(dir, 'live.log', lines), {
        site: 'example.com',
        salts: new SaltStore(reference),
        sessionTimeoutMs: TIMEOUT,
      });
      const replayed = await sessionsTable(reference);
      await reference.close();

      expect(live.events).toEqual([{ n: humanLines(lines).length }]);
      expect(live.sessions.length).toBeGreaterThan(100);
      expect(live.sessions).toEqual(replayed);
      expectFigures(live.figures, expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
