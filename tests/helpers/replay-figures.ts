/**
 * What a drain and a replay of the same log must agree on (tests of exactly-once through crashes
 * and failures), and a log to drain: bench/build-log.ts's, from the real test logs, squeezed into
 * recent hours.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { buildLog } from '../../bench/build-log.ts';
import { dataDirClickHouse, freshClickHouse, rows } from './clickhouse.ts';

export const SESSION_TIMEOUT_MS = 30 * 60_000;

/** The figures a replay and a drain of the same lines must agree on. */
export const figures = async (ch: ClickHouse) => ({
  outcomes: await rows(
    ch,
    'SELECT outcome, reason, sum(count) AS n FROM pipeline_stats GROUP BY outcome, reason HAVING n > 0 ORDER BY outcome, reason',
  ),
  events: await rows(ch, 'SELECT count() AS n, uniqExact(session_id) AS sessions FROM events'),
  visits: await rows(ch, 'SELECT count() AS visits, sum(hits) AS hits, sum(duration_s) AS seconds FROM sessions FINAL'),
  bots: await rows(ch, 'SELECT sum(hits) AS hits FROM bots_minute'),
});

export const countedLines = async (ch: ClickHouse) =>
  Number((await rows<{ n: number }>(ch, 'SELECT sum(count) AS n FROM pipeline_stats'))[0]!.n);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const clf = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

/**
 * bench/build-log.ts's log (30 days, in time order) squeezed into the last 30 hours, order kept: days
 * older than the kept salts' get a salt held in the process's memory only (processor/state/salt-store.ts),
 * so a restart would hash their visitors anew — by design — and split their visits, which a replay in
 * one run does not. Within the kept days, a restart changes no visitor.
 */
export async function recentLog(dir: string, lines: number): Promise<{ file: string; lines: number }> {
  const file = join(dir, 'access.log');
  const built = join(dir, 'built.log');
  await buildLog(built, lines);
  const text = readFileSync(built, 'utf8').trimEnd().split('\n');
  const times = text.map((l) => Date.parse(l.replace(/^.*?\[(\d+)\/(\w+)\/(\d+):(\d+:\d+:\d+) \+0000\].*$/, '$2 $1 $3 $4 UTC')));
  const [first, last] = [times[0]!, times.at(-1)!];
  const end = Date.now() - 3_600_000;
  const squeezed = (t: number) => end - Math.round(((last - t) * 29 * 3_600_000) / Math.max(1, last - first));
  writeFileSync(file, `${text.map((l, i) => l.replace(/\[[^\]]+ \+0000\]/, `[${clf(squeezed(times[i]!))}]`)).join('\n')}\n`);
  return { file, lines: text.length };
}

export async function replayed(file: string) {
  const ref = await freshClickHouse();
  await replayFile(ref, file, { site: 'example.com', salts: new SaltStore(ref), sessionTimeoutMs: SESSION_TIMEOUT_MS });
  return figures(ref);
}

/**
 * What a drain left in DATA_DIR's engine — opened once its process has ended (the engine opens one data
 * folder per process) — beside a replay of the same log: the lines counted, and both figures.
 */
export async function drainedAndReplayed(dataDir: string, file: string) {
  const ch = await dataDirClickHouse(dataDir);
  let drained: { lines: number; figures: Awaited<ReturnType<typeof figures>> };
  try {
    drained = { lines: await countedLines(ch), figures: await figures(ch) };
  } finally {
    await ch.close();
  }
  return { ...drained, replayed: await replayed(file) };
}
