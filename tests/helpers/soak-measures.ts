/**
 * What the Kafka soak (tests/helpers/kafka-soak.ts) builds and measures: one
 * log a site, the lines a site has counted, each partition's lag as the broker
 * has it, and the longest stand-still of a drain's count.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { buildLog } from '../../bench/build-log.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import type { Config } from '../../common/config.ts';
import { rows } from './clickhouse.ts';

const DAY_MS = 86_400_000;
/** Where the last site's log ends (buildLog's own default). */
const LOG_END = Date.UTC(2026, 10, 30);

/**
 * The real logs copied until `count` lines, each copy its own addresses and days (bench/build-log.ts): one
 * log a site, the same lines 35 days (more than a log's span) after the site before. A stream's time only
 * moves on, and a processor judges a hit by it (late, its session ended, evidence of bots kept:
 * sessionize.ts), so a pass of the same times again would be a pass of hits weeks late; shifted by whole
 * days, each site's figures are the same as the last one's, whose log is the one `file` names.
 */
export async function buildSiteLogs(dir: string, sites: string[], count: number) {
  const files = sites.map((site) => join(dir, `${site}.log`));
  const counts = await Promise.all(files.map((f, i) => buildLog(f, count, LOG_END - (files.length - 1 - i) * 35 * DAY_MS)));
  const lines = counts[0]!;
  if (counts.some((n) => n !== lines)) throw new Error(`logs of ${counts.join(', ')} lines`);
  const siteLines = new Map(
    sites.map((site, i) => [
      site,
      readFileSync(files[i]!, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    ]),
  );
  return { file: files.at(-1)!, lines, siteLines };
}

/** Lines of a site as the pipeline counts them: every outcome (events, dropped, dead letters) but refused sessions and verdicts. */
export const countedLines = async (ch: ClickHouse, site: string) =>
  Number(
    (
      await rows<{ n: number }>(
        ch,
        "SELECT sum(count) AS n FROM pipeline_stats WHERE site = {site:String} AND NOT (outcome = 'dead_letter' AND reason = 'row_rejected')",
        { site },
      )
    )[0]!.n,
  );

/** Each partition's lag as the broker has it: high watermark − the group's committed offset. */
export async function brokerLag(admin: Admin, cfg: Pick<Config, 'KAFKA_TOPIC' | 'KAFKA_GROUP'>): Promise<Map<number, number>> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(cfg.KAFKA_TOPIC),
    admin.fetchOffsets({ groupId: cfg.KAFKA_GROUP, topics: [cfg.KAFKA_TOPIC] }),
  ]);
  const at = new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
  return new Map(ends.map((e) => [e.partition, Number(e.high) - Math.max(Number(e.low), at.get(e.partition) ?? -1)]));
}

/** The longest time (ms) a drain's count stood still between its first line counted and its last. */
export function longestStandStill(progress: readonly { at: number; n: number }[], lines: number): number {
  let longest = 0;
  for (let i = 1; i < progress.length; i++) {
    const moved = progress.slice(i).find((p) => p.n !== progress[i - 1]!.n);
    if (progress[i - 1]!.n > 0 && progress[i - 1]!.n < lines && moved) longest = Math.max(longest, moved.at - progress[i - 1]!.at);
  }
  return longest;
}
