/**
 * The import benchmark's human-heavy log (bench/build-log.ts) is people's as
 * ingestion judges them: its source lines (bench/human-lines.ts, from
 * `scalehouse explain`) are as many as the human hits a replay of each real
 * log keeps — a line explained as human and later moved by its visitor's
 * behavioural verdict is not one of them — and a replay of the built log keeps
 * every line as a human hit.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildHumanLog } from '../../bench/build-log.ts';
import { explainHumanLines } from '../../bench/human-lines.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { freshClickHouse, HUMAN_EVENTS, rows } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SITE = 'example.com';

/** Replays `file` into a fresh database: its human hits and its bot hits. */
async function replayed(file: string): Promise<{ human: number; bots: number }> {
  const ch = await freshClickHouse();
  try {
    await replayFile(ch, file, { site: SITE, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
    const [human] = await rows<{ n: string }>(ch, `SELECT count() AS n FROM ${HUMAN_EVENTS}`);
    const [bots] = await rows<{ n: string }>(ch, 'SELECT sum(hits) AS n FROM bots_minute');
    return { human: Number(human!.n), bots: Number(bots!.n) };
  } finally {
    await ch.close();
  }
}

describe('the import benchmark: its human-heavy log', () => {
  it.each(LOG_FILES)('takes from %s the lines a replay keeps as human hits', async (name) => {
    const file = fixture(`logs/${name}`);
    const lines = explainHumanLines(file, SITE);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBe((await replayed(file)).human);
  });

  it('is people only, every line kept as a human hit, none a bot', async () => {
    const out = join(tempDir('bench-human-log'), 'human.log');
    const n = await buildHumanLog(out, 6_000);
    expect(n).toBe(6_000);
    expect(await replayed(out)).toEqual({ human: 6_000, bots: 0 });
  });
});
