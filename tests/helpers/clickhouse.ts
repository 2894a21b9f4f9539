/**
 * A fresh database on the real embedded ClickHouse engine for each test
 * (as clickhouse-js' integration tests use a fresh table each), migrated with
 * the project's own migrations.
 */
import { randomUUID } from 'node:crypto';
import { connectClickHouse, type ClickHouse } from '../../clickhouse/connect.ts';
import { migrate } from '../../clickhouse/migrate.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { beforeTempDirsRemoved, tempDir } from './temp-dir.ts';

/** Every handle opened here: closed (a second close does nothing) before the data folders are removed. */
const opened: ClickHouse[] = [];
beforeTempDirsRemoved(async () => {
  await Promise.all(opened.splice(0).map((ch) => ch.close()));
});
const track = (ch: ClickHouse): ClickHouse => {
  opened.push(ch);
  return ch;
};

// One engine data folder per test file (per process: the engine binds one), made when first used.
let dataDir: string | undefined;

export async function freshClickHouse(opts: { migrate?: boolean } = {}): Promise<ClickHouse> {
  dataDir ??= tempDir('test');
  const ch = track(
    await connectClickHouse({
      CLICKHOUSE_URL: '',
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      DATA_DIR: dataDir,
      CLICKHOUSE_DATABASE: `t_${randomUUID().replace(/-/g, '')}`,
    }),
  );
  if (opts.migrate !== false) await migrate(ch, { rawRetentionDays: 0 });
  return ch;
}

/**
 * Another session of the engine and database `ch` is on. The embedded engine keeps settings per
 * session: after a dashboard read its session is read-only (readonly=2), so the dashboard writes
 * its own settings through a session of their own, as `scalehouse start` gives it.
 */
export async function anotherSession(ch: ClickHouse): Promise<ClickHouse> {
  return track(
    await connectClickHouse({
      CLICKHOUSE_URL: '',
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      DATA_DIR: dataDir!,
      CLICKHOUSE_DATABASE: ch.database,
    }),
  );
}

export async function rows<T = Record<string, unknown>>(ch: ClickHouse, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await clientOf(ch).query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  return rs.json<T>();
}

/** The embedded engine of a stopped `scalehouse start`'s DATA_DIR, to count what it loaded. */
export async function dataDirClickHouse(dataDir: string): Promise<ClickHouse> {
  return track(
    await connectClickHouse({
      CLICKHOUSE_URL: '',
      CLICKHOUSE_USER: 'default',
      CLICKHOUSE_PASSWORD: '',
      CLICKHOUSE_DATABASE: 'scalehouse',
      DATA_DIR: dataDir,
    }),
  );
}

/**
 * The human events, as every figure reads them: events of visitors not found
 * to be bots by behaviour (bot_visitors; the events loaded before a verdict
 * stay in the table, docs/metrics.md). Use as `FROM ${HUMAN_EVENTS}`.
 */
export const HUMAN_EVENTS = '(SELECT * FROM events WHERE (site, visitor_id) NOT IN (SELECT site, visitor_id FROM bot_visitors))';

/** The sessions of those visitors, read with FINAL. Use as `FROM ${HUMAN_SESSIONS}`. */
export const HUMAN_SESSIONS = '(SELECT * FROM sessions FINAL WHERE (site, visitor_id) NOT IN (SELECT site, visitor_id FROM bot_visitors))';

/**
 * Every hit that landed, once: human events and bot hits, a row each (bot
 * hits are counted in bots_minute, a visitor found to be a bot by behaviour
 * has its earlier events counted there too). What "nothing acknowledged is lost, nothing is counted
 * twice" is checked on, whoever the senders look like. Use as `FROM ${LANDED_HITS}`.
 */
export const LANDED_HITS = `(SELECT path FROM ${HUMAN_EVENTS} UNION ALL SELECT path FROM bots_minute ARRAY JOIN range(hits) AS _hit)`;
