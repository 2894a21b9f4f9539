/**
 * `scalehouse explain` (the real CLI) on each real log: one valid JSON object
 * per input line, and the same verdicts as ingestion — every line the replay
 * counts as a human hit is "human" with the same pageview flag, every bot hit
 * is "bot" with the same reason, and the lines a behavioural verdict moves
 * to the bots (`moves_lines`) are those ingestion moves.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { freshClickHouse, HUMAN_EVENTS, rows } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
const explain = (args: string[], input?: string) =>
  execFileSync(process.execPath, [BIN, 'explain', ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  })
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const tally = (list: string[]) =>
  list.reduce<Record<string, number>>((m, k) => {
    m[k] = (m[k] ?? 0) + 1;
    return m;
  }, {});

describe.each(LOG_FILES)('scalehouse explain %s', (name) => {
  it('prints one JSON object per line, with the verdicts ingestion reaches', async () => {
    const file = fixture(`logs/${name}`);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const out = explain([file, '--site', 'example.com']);
    expect(out.map((o) => o.line)).toEqual(lines.map((_, i) => i + 1));

    const ch = await freshClickHouse();
    await replayFile(ch, file, { site: 'example.com', salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000 });
    const ingested = [
      ...(
        await rows<{ k: string }>(
          ch,
          `SELECT concat('human ', toString(status), ' ', path, ' ', toString(is_pageview)) AS k FROM ${HUMAN_EVENTS}`,
        )
      ).map((r) => r.k),
      ...(
        await rows<{ k: string }>(
          ch,
          "SELECT concat('bot ', toString(status), ' ', path, ' ', reason) AS k FROM bots_minute ARRAY JOIN range(hits) AS _hit",
        )
      ).map((r) => r.k),
    ];
    await ch.close();
    // A line explained as human, and later moved by its visitor's verdict, ends as that verdict's bot hit.
    const movedBy = new Map(out.flatMap((o) => ((o.moves_lines as number[] | undefined) ?? []).map((l) => [l, o.reason] as const)));
    const explained = out.map((o) =>
      movedBy.has(o.line as number)
        ? `bot ${o.status} ${o.path} ${movedBy.get(o.line as number)}`
        : o.outcome === 'human'
          ? `human ${o.status} ${o.path} ${o.pageview ? 1 : 0}`
          : `${o.outcome} ${o.status} ${o.path} ${o.reason}`,
    );
    expect(tally(explained)).toEqual(tally(ingested));
  });
});

describe('scalehouse explain on standard input', () => {
  it('explains beacon payloads, broken and empty lines, and says why', () => {
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    const out = explain(
      ['-', '--site', 'example.com'],
      [
        JSON.stringify({ type: 'pageview', url: 'https://example.com/pricing?utm_source=news', user_agent: firefox, ip: '8.8.8.8' }),
        '',
        '203.0.113.9 - - [02/Dec/2026:10:00:00 +0000] "GET /cut',
        `203.0.113.9 - - [02/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"`,
      ].join('\n') + '\n',
    );
    expect(out).toEqual([
      expect.objectContaining({
        line: 1,
        outcome: 'human',
        source: 'beacon',
        path: '/pricing',
        pageview: true,
        channel: 'campaign',
        utm: { source: 'news' },
        browser: 'Firefox',
        country: 'US',
      }),
      { line: 2, outcome: 'skipped', reason: 'empty_line' },
      expect.objectContaining({ line: 3, outcome: 'dead_letter', reason: 'truncated_line' }),
      expect.objectContaining({ line: 4, outcome: 'bot', reason: 'user_agent_pattern', path: '/' }),
    ]);
    expect(JSON.stringify(out)).not.toContain('8.8.8.8');
  });
});
