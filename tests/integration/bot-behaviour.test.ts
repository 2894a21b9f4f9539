/**
 * Bots by behaviour on real logs, through ingestion into the real engine:
 * hackers-access.log's form spam and probes become bots with their reasons,
 * exactly as the rules of docs/metrics.md recomputed here from the raw lines
 * say (tests/helpers/read-log.ts); a hand-checked slice of real visitors stays
 * human; and a processor that crashes and restores mid-stream moves the same
 * hits as one that does not, the rollups equal to the raw tables either way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { DEFAULT_REORDER_MS } from '../../processor/batch/sessionize.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { SiteHosts } from '../../processor/state/site-hosts.ts';
import { explainLines } from '../../processor/explain/explain.ts';
import { freshClickHouse, HUMAN_EVENTS, rows } from '../helpers/clickhouse.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { logRecord } from '../helpers/hits.ts';
import { fixture } from '../helpers/fixtures.ts';
import { deliverWithCrashes } from '../helpers/crashing-processor.ts';
import { botVisitors, humanLines, readCombinedLog, shuffleWithin, visitorOf, type LogLine } from '../helpers/read-log.ts';
import { writeLines } from '../helpers/visit-figures.ts';

const TIMEOUT = 30 * 60_000;
const tmp = mkdtempSync(join(tmpdir(), 'scalehouse-bot-behaviour-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The figures that must not depend on how the hits came: human hits, bot hits by reason, rollups. */
async function figures(ch: ClickHouse) {
  return {
    humans: await rows(ch, `SELECT method, count() AS n FROM ${HUMAN_EVENTS} GROUP BY method ORDER BY method`),
    bots: await rows(ch, 'SELECT reason, sum(hits) AS n FROM bots_minute GROUP BY reason ORDER BY reason'),
    verdicts: await rows(ch, 'SELECT reason, count() AS n FROM bot_visitors GROUP BY reason ORDER BY reason'),
    traffic: await rows(
      ch,
      'SELECT sum(hits) AS hits, sum(pageviews) AS pageviews, sum(status_3xx) AS s3, sum(bytes) AS bytes, sum(bot_hits) AS bots FROM traffic_minute',
    ),
    pages: await rows(ch, 'SELECT sum(hits) AS hits, sum(pageviews) AS pageviews, sum(bytes) AS bytes FROM pages_hour'),
  };
}

describe('hackers-access.log', () => {
  const lines = readCombinedLog(fixture('logs/hackers-access.log'));

  it('takes the form spammers and probers for bots, with their reasons, as the rules recomputed from the lines say', async () => {
    const ch = await freshClickHouse();
    await replayFile(ch, fixture('logs/hackers-access.log'), {
      site: 'example.com',
      salts: new SaltStore(ch),
      sessionTimeoutMs: TIMEOUT,
      batchLines: 500,
    });
    const humans = humanLines(lines);
    const posts = lines.filter((l) => l.method === 'POST');
    const humanPosts = humans.filter((l) => l.method === 'POST');
    const byMethod = (list: LogLine[]) =>
      Object.entries(
        list.reduce<Record<string, number>>((m, l) => {
          m[l.method] = (m[l.method] ?? 0) + 1;
          return m;
        }, {}),
      )
        .map(([method, n]) => ({ method, n }))
        .sort((a, b) => a.method.localeCompare(b.method));
    expect(await rows(ch, `SELECT method, count() AS n FROM ${HUMAN_EVENTS} GROUP BY method ORDER BY method`)).toEqual(byMethod(humans));

    const expectedVerdicts = [...botVisitors(lines).values()];
    const verdicts = await rows<{ reason: string; n: number }>(
      ch,
      'SELECT reason, count() AS n FROM bot_visitors GROUP BY reason ORDER BY reason',
    );
    expect(verdicts.reduce((n, v) => n + v.n, 0)).toBe(expectedVerdicts.length);
    expect(verdicts.map((v) => v.reason)).toContain('form_spam');
    // Every hit of a flagged visitor is a bot hit with the visitor's reason: those before the verdict too.
    const [bots] = await rows<{ n: number }>(ch, 'SELECT sum(hits) AS n FROM bots_minute');
    expect(bots!.n).toBe(lines.length - humans.length);
    console.log(
      `hackers-access.log: ${posts.length - humanPosts.length} of ${posts.length} POSTs are bots'; ` +
        `${expectedVerdicts.length} visitors by behaviour (${verdicts.map((v) => `${v.reason} ${v.n}`).join(', ')}); ${humans.length} of ${lines.length} lines human`,
    );
    await ch.close();
  });

  it('moves the same hits through processors that crash and restore their state from ClickHouse', async () => {
    const shuffled = shuffleWithin(lines, DEFAULT_REORDER_MS, 7);
    const reference = await freshClickHouse();
    await replayFile(reference, writeLines(tmp, 'hackers.shuffled', shuffled), {
      site: 'example.com',
      salts: new SaltStore(reference),
      sessionTimeoutMs: TIMEOUT,
    });

    // 100 hits to a batch; every fourth batch the processor dies after loading and before committing,
    // and a new one restores the stream's state from ClickHouse and does the batch again.
    const ch = await freshClickHouse();
    const crashes = await deliverWithCrashes(ch, shuffled, { sessionTimeoutMs: TIMEOUT, batchSize: 100, crashEvery: 4 });
    expect(crashes).toBeGreaterThan(5);
    const live = await figures(ch);
    expect(live).toEqual(await figures(reference));
    // The rollups hold exactly the human hits, the moved ones taken back out.
    expect(live.traffic).toEqual([
      expect.objectContaining({ hits: humanLines(lines).length, bots: lines.length - humanLines(lines).length }),
    ]);
    await Promise.all([ch.close(), reference.close()]);
  });
});

describe('a processor that dies half-way through moving bots', () => {
  /** hackers-access.log's first 600 lines as one bus stream, in batches of `size`. */
  const firstLinesInBatches = (size: number) => {
    const records = readCombinedLog(fixture('logs/hackers-access.log'))
      .slice(0, 600)
      .map((l) => logRecord(l.raw, l.n, { position: `hits:0@${l.n}` }));
    return Array.from({ length: Math.ceil(records.length / size) }, (_, b) => ({
      records: records.slice(b * size, (b + 1) * size),
      token: `hits:0:${b * size}`,
      stream: 'hits:0',
      end: Math.min((b + 1) * size, records.length) + 1,
    }));
  };

  it('finishes the moves when it does the batch again (died before moving the hits)', async () => {
    const batches = firstLinesInBatches(200);

    const reference = await freshClickHouse();
    const clean = createBatchHandler({ ch: reference, salts: new SaltStore(reference), sessionTimeoutMs: TIMEOUT });
    for (const b of batches) await clean.handle(b);

    // The same stream, where ClickHouse fails once on one of the moves of the second batch, after its
    // events, bot hits and verdicts are stored: the handler drops its state and gets the batch again.
    const ch = await freshClickHouse();
    const client = clientOf(ch);
    const command = client.command.bind(client);
    let failed = false;
    client.command = async (p) => {
      if (!failed && p.clickhouse_settings?.insert_deduplication_token === 'hits:0:200:move-hits') {
        failed = true;
        throw new Error('the process died here');
      }
      return command(p);
    };
    const handler = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: TIMEOUT });
    await handler.handle(batches[0]!);
    await expect(handler.handle(batches[1]!)).rejects.toThrow('the process died here');
    await handler.handle(batches[1]!);
    await handler.handle(batches[2]!);
    expect(failed).toBe(true);
    expect((await figures(reference)).verdicts.length).toBeGreaterThan(0);
    expect(await figures(ch)).toEqual(await figures(reference));
    await Promise.all([ch.close(), reference.close()]);
  });
  it('moves nothing again when it does the batch again after its moves were made', async () => {
    const batches = firstLinesInBatches(300);
    const reference = await freshClickHouse();
    const clean = createBatchHandler({ ch: reference, salts: new SaltStore(reference), sessionTimeoutMs: TIMEOUT });
    for (const b of batches) await clean.handle(b);

    // The first batch loaded whole, its moves made; the processor dies before committing it, and a new
    // one, restored from ClickHouse, gets it again. The redo must not rest on ClickHouse remembering
    // the move's token: it sends no move at all (migrations/0019_moved_batches.sql says why).
    const ch = await freshClickHouse();
    const salts = new SaltStore(ch);
    const client = clientOf(ch);
    const command = client.command.bind(client);
    const moves: string[] = [];
    client.command = async (p) => {
      const token = p.clickhouse_settings?.insert_deduplication_token;
      if (typeof token === 'string' && token.endsWith(':move-hits')) moves.push(token);
      return command(p);
    };
    await createBatchHandler({ ch, salts, sessionTimeoutMs: TIMEOUT }).handle(batches[0]!);
    expect(moves).toEqual(['hits:0:0:move-hits']);
    const again = createBatchHandler({ ch, salts, sessionTimeoutMs: TIMEOUT });
    await again.handle(batches[0]!);
    await again.handle(batches[1]!);
    expect(moves.filter((t) => t === 'hits:0:0:move-hits')).toHaveLength(1);
    expect((await figures(reference)).verdicts.length).toBeGreaterThan(0);
    expect(await figures(ch)).toEqual(await figures(reference));
    await Promise.all([ch.close(), reference.close()]);
  });
});

describe('real visitors', () => {
  it('stay human: a hand-checked slice of secrepo-2021.log (pages with their images, styles and icons, by hand)', async () => {
    const file = fixture('logs/secrepo-2021.log');
    const lines = readCombinedLog(file);
    // Read by hand: each loads / with its stylesheet (a 404 on this site), images and favicon, and comes back later.
    const people = ['49.204.129.136', '198.137.18.195', '114.246.207.180'];
    const theirs = new Set(lines.filter((l) => people.includes(l.ip)).map((l) => l.n));
    expect(theirs.size).toBeGreaterThan(15);

    const out: Record<string, unknown>[] = [];
    const opts = {
      site: 'example.com',
      hosts: new SiteHosts(),
      sessionTimeoutMs: TIMEOUT,
      sessionReorderMs: DEFAULT_REORDER_MS,
      batchLines: 500,
    };
    for await (const o of explainLines(Readable.from(lines.map((l) => l.raw)), opts)) out.push(o);
    const moved = new Set(out.flatMap((o) => (o.moves_lines as number[] | undefined) ?? []));
    const verdicts = out.filter((o) => theirs.has(o.line as number)).map((o) => (moved.has(o.line as number) ? 'moved' : o.outcome));
    expect(verdicts).toEqual([...theirs].map(() => 'human'));
    // And the independent reading agrees: none of these visitors is a bot.
    const bots = botVisitors(lines);
    expect(lines.filter((l) => theirs.has(l.n) && bots.has(visitorOf(l)))).toEqual([]);
  });
});
