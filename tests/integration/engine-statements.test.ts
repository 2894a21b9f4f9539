/**
 * The statements the engine program sends a batch (processor/batch/prepare-staged.ts), on the real
 * engine: each costs its analysis whatever its rows (docs/benchmarks.md, "The two batch programs at the
 * live path's batch size"), so a batch sends none that has nothing to do. A batch of bots' lines writes
 * no events, a batch of people's lines no bot counts or samples, and the enriched table is read back
 * twice (outcomes with their dead letters, people's hits), not three times. What the tables hold is the
 * differential test's to say (engine-program.test.ts); here, what was sent.
 */
import { describe, expect, it } from 'vitest';
import type { BusBatch } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { userAgentVerdict } from '../../processor/bots/user-agent-verdict.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { fixture } from '../helpers/fixtures.ts';
import { logRecord } from '../helpers/hits.ts';
import { humanLines, readCombinedLog, type LogLine } from '../helpers/read-log.ts';

const TIMEOUT = 30 * 60_000;

const batchOf = (lines: LogLine[]): BusBatch => ({
  stream: 'test',
  records: lines.map((l, i) => logRecord(l.raw, i, { site: 'example.com' })),
  token: 'statements:0',
});

/** The tables the batch's INSERT … SELECTs went to, and how many reads of its enriched table it made. */
async function sentFor(ch: ClickHouse, batch: BusBatch): Promise<{ inserts: string[]; enrichedReads: number }> {
  const client = clientOf(ch);
  const command = client.command.bind(client);
  const query = client.query.bind(client);
  const inserts: string[] = [];
  let enrichedReads = 0;
  client.command = async (p) => {
    const token = p.clickhouse_settings?.insert_deduplication_token;
    if (typeof token === 'string' && token.startsWith(`${batch.token}:`)) inserts.push(token.slice(batch.token.length + 1));
    return command(p);
  };
  client.query = ((p: Parameters<typeof query>[0]) => {
    if (p.query_params?.enriched !== undefined) enrichedReads++;
    return query(p);
  }) as typeof query;
  const handler = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: TIMEOUT, program: 'engine' });
  await handler.handle(batch);
  return { inserts: inserts.sort(), enrichedReads };
}

const count = async (ch: ClickHouse, sql: string) => Number((await rows<{ n: string }>(ch, sql))[0]!.n);

describe('the engine program sends a batch only the statements it needs', () => {
  const lines = readCombinedLog(fixture('logs/secrepo-2021.log'));

  it("a batch of bots' lines: bot counts and samples, no events", async () => {
    const ch = await freshClickHouse();
    const bots = lines.filter((l) => userAgentVerdict(l.ua).bot).slice(0, 300);
    expect(await sentFor(ch, batchOf(bots))).toEqual({ inserts: ['bot_hit_samples', 'bots_minute'], enrichedReads: 2 });
    expect(await count(ch, 'SELECT sum(hits) AS n FROM bots_minute')).toBe(300);
    expect(await count(ch, 'SELECT count() AS n FROM events')).toBe(0);
    await ch.close();
  });

  it("a batch of people's lines: events, no bot counts or samples", async () => {
    const ch = await freshClickHouse();
    const people = humanLines(lines).slice(0, 300);
    expect(await sentFor(ch, batchOf(people))).toEqual({ inserts: ['events'], enrichedReads: 2 });
    expect(await count(ch, 'SELECT count() AS n FROM events')).toBe(300);
    expect(await count(ch, 'SELECT count() AS n FROM bots_minute')).toBe(0);
    await ch.close();
  });
});
