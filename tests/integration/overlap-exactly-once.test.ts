/**
 * Exactly once while the drain overlaps loading (bus/pipeline.ts), with the real batch handler and
 * the embedded engine, on a log built from the real test logs (bench/build-log.ts):
 *  - `scalehouse start` (local bus) killed with SIGKILL while its checkpoint holds two ranges in
 *    flight — one loading, the next prepared — and started again: every line counted once;
 *  - a load of batch N failing while N+1 is prepared (once after its rows landed, once before any
 *    did): N+1 is discarded, never loaded before N, and loaded once after it;
 * and either way the figures equal a replay of the same log.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusBatch, TwoPhaseHandler } from '../../bus/bus.ts';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { logHit } from '../../common/hit.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { buildLog } from '../../bench/build-log.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { countedLines, drainedAndReplayed, figures, recentLog, replayed, SESSION_TIMEOUT_MS } from '../helpers/replay-figures.ts';
import { drainAndStop, freePort, startApp } from '../helpers/app-process.ts';
import { nameOf } from '../helpers/two-phase-double.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

describe('exactly once with the drain overlapping loading', () => {
  it('scalehouse start killed with two ranges in flight counts every line once, as a replay does', async () => {
    const dir = tempDir('overlap-kill');
    const { file, lines } = await recentLog(dir, 12_000);
    const dataDir = join(dir, 'data');
    const port = await freePort();
    const env = { DATA_DIR: dataDir, SITES: 'example.com', BATCH_MAX_HITS: '500', RAW_RETENTION_DAYS: '0' };
    const inflight = () => {
      try {
        return (JSON.parse(readFileSync(join(dataDir, 'bus', 'consumer.json'), 'utf8')) as { inflight: unknown[] }).inflight;
      } catch {
        return [];
      }
    };
    let app = await startApp(env, port);
    try {
      const text = readFileSync(file, 'utf8').trimEnd().split('\n');
      for (let i = 0; i < text.length; i += 4000) {
        const res = await fetch(`${app.url}/api/logs?site=example.com`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', authorization: 'Bearer test-ingest-token' },
          body: `${text.slice(i, i + 4000).join('\n')}\n`,
        });
        expect(res.status).toBe(202);
      }
      await waitFor('two ranges in flight', async () => (inflight().length === 2 ? true : undefined), 60_000);
      app.child.kill('SIGKILL');
      await within('scalehouse start to die', app.exited);
      // What the restart finds: one range loading, the next prepared on top of it.
      expect(inflight()).toHaveLength(2);

      app = await startApp(env, port);
      await drainAndStop(app);
    } finally {
      // A test that failed leaves no scalehouse behind.
      if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    }
    const drained = await drainedAndReplayed(dataDir, file);
    expect(drained.lines).toBe(lines);
    expect(drained.figures).toEqual(drained.replayed);
  });

  it('discards N+1 when N fails to load (after its rows landed, or before), and counts every line once, as a replay does', async () => {
    const dir = tempDir('overlap-fail');
    const file = join(dir, 'access.log');
    const lines = await buildLog(file, 8_000);
    const ch = await freshClickHouse();
    const bus = await LocalBus.open({ dir: join(dir, 'bus') });
    const receivedAt = Date.now();
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    await bus.publish(text.map((line) => logHit('example.com', line, { receivedAt })));

    const events: string[] = [];
    // Batch 2000-3000's first load lands its rows, then fails (its dead letters refused); 5000-6000's fails before any land.
    const failAfter = new Set(['2000-3000']);
    const failBefore = new Set(['5000-6000']);
    const { prepare } = createBatchHandler({
      ch,
      salts: new SaltStore(ch),
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      deadLetter: async (_items, batch: BusBatch) => {
        if (failAfter.delete(nameOf(batch))) throw new Error('dead letters refused (test)');
      },
    });
    const handler: TwoPhaseHandler = {
      prepare: async (batch) => {
        const name = nameOf(batch);
        const prepared = await prepare(batch);
        events.push(`prepare ${name}`);
        return {
          load: async () => {
            events.push(`load ${name}`);
            if (failBefore.delete(name)) throw new Error('the engine is away (test)');
            await prepared.load();
            events.push(`loaded ${name}`);
          },
          discard: async () => {
            events.push(`discard ${name}`);
            await prepared.discard();
          },
        };
      },
    };
    await bus.consume(handler, { maxRecords: 1000 });
    await waitFor('every batch loaded', async () => (events.includes('loaded 7000-8000') ? true : undefined), 90_000);
    await bus.close();

    for (const [failed, next] of [
      ['2000-3000', '3000-4000'],
      ['5000-6000', '6000-7000'],
    ] as const) {
      // N+1 was prepared while N loaded, discarded when N failed, and loaded only once N had.
      expect(events.indexOf(`prepare ${next}`)).toBeLessThan(events.indexOf(`discard ${next}`));
      expect(events.indexOf(`discard ${next}`)).toBeLessThan(events.indexOf(`loaded ${failed}`));
      expect(events.indexOf(`loaded ${failed}`)).toBeLessThan(events.indexOf(`load ${next}`));
      expect(events.filter((e) => e === `load ${next}`)).toHaveLength(1);
    }
    const loaded = events.filter((e) => e.startsWith('loaded ')).map((e) => e.slice('loaded '.length));
    expect(loaded).toEqual(Array.from({ length: 8 }, (_, i) => `${i * 1000}-${(i + 1) * 1000}`));
    expect(await countedLines(ch)).toBe(lines);
    expect(await figures(ch)).toEqual(await replayed(file));
  });
});
