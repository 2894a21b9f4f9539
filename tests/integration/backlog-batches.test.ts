/**
 * Batches that grow with the backlog (issue 27: the drain's time went to the
 * engine merging one small part per 5,000-line batch, and batches that small
 * never reached the engine program). A batch takes whatever waits on the bus,
 * up to BATCH_MAX_HITS: a processor that keeps up loads small batches at once,
 * one that is behind loads large ones — fewer, larger parts, through the
 * engine program from ENGINE_MIN_RECORDS. Here a real `scalehouse start` with
 * its default settings gets the three fixture logs in one body, more lines
 * than ENGINE_MIN_RECORDS: they must be loaded in a batch larger than that,
 * every line counted.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_MIN_RECORDS } from '../../processor/batch/batch-handler.ts';
import { drainAndStop, freePort, startApp, TEST_INGEST_TOKEN, type AppProcess } from '../helpers/app-process.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { scrape, sample } from '../helpers/prometheus.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

let app: AppProcess | undefined;
afterAll(() => {
  if (app && app.child.exitCode === null) app.child.kill('SIGKILL');
});

describe('a backlog', () => {
  it('is loaded in batches as large as it is, not in slices of a few thousand hits', async () => {
    const lines = LOG_FILES.flatMap((f) => readFileSync(fixture(`logs/${f}`), 'utf8').split('\n')).filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(ENGINE_MIN_RECORDS);
    app = await startApp({ DATA_DIR: tempDir('backlog'), SITES: 'backlog.example' }, await freePort());
    const res = await fetch(`${app.url}/api/logs?site=backlog.example`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TEST_INGEST_TOKEN}` },
      body: lines.join('\n'),
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(lines.length);

    const metrics = await waitFor('every line processed', async () => {
      const m = await scrape(`${app!.url}/metrics`, TEST_INGEST_TOKEN);
      return sample(m, 'scalehouse_records_processed_total') >= lines.length ? m : undefined;
    });
    expect(sample(metrics, 'scalehouse_records_processed_total')).toBe(lines.length);
    const batches = metrics.get('scalehouse_batch_records')!.metrics[0]!;
    const upTo10k = Number(batches.buckets![String(ENGINE_MIN_RECORDS)]);
    // At least one batch of more than ENGINE_MIN_RECORDS records: the body's lines were waiting together.
    expect(Number(batches.count) - upTo10k, JSON.stringify(batches)).toBeGreaterThanOrEqual(1);
    await drainAndStop(app);
  }, 120_000);
});
