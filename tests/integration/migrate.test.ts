/** The migrator on the real engine: once each, in order, recorded; edits after the fact are refused. */
import { describe, expect, it } from 'vitest';
import { cpSync, appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, MIGRATIONS_DIR, splitStatements } from '../../clickhouse/migrate.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A copy of the migrations folder with those numbered below `version` only. */
function migrationsBefore(version: string): string {
  const dir = tempDir('migrations');
  for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < version)) cpSync(join(MIGRATIONS_DIR, f), join(dir, f));
  return dir;
}

describe('migrate', () => {
  it('applies each migration once, records it, and sets the raw retention TTL from configuration', async () => {
    const ch = await freshClickHouse(); // already migrated once
    expect(await migrate(ch, { rawRetentionDays: 90 })).toEqual([]);
    const applied = await rows(ch, 'SELECT version, name FROM schema_migrations FINAL ORDER BY version');
    expect(applied.map((r) => r.name)).toEqual([
      '0001_events.sql',
      '0002_sessions.sql',
      '0003_rollups.sql',
      '0004_pipeline.sql',
      '0005_shared_processor_state.sql',
      '0006_replay_seeds.sql',
      '0007_salts_by_day.sql',
      '0008_sessions_by_event_time.sql',
      '0009_site_hosts.sql',
      '0010_timing_and_twins.sql',
      '0011_drop_visitors_hour.sql',
      '0012_bot_visitors.sql',
      '0013_codecs.sql',
      '0014_alerts.sql',
      '0015_goals_funnels_shares.sql',
      '0016_bot_rollup.sql',
      '0017_enrich_values.sql',
      '0018_enrich_dictionaries.sql',
      '0019_moved_batches.sql',
    ]);
    const [ttl] = await rows<{ q: string }>(
      ch,
      "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'events'",
    );
    expect(ttl!.q).toMatch(/TTL toDateTime\(ts\) \+ toIntervalDay\(_CAST\(90, 'UInt32'\)\)/);
    await migrate(ch, { rawRetentionDays: 0 });
    const [none] = await rows<{ q: string }>(
      ch,
      "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'events'",
    );
    expect(none!.q).not.toMatch(/TTL/);
    // Every table uses the codecs and engines the design asks for.
    const engines = await rows(
      ch,
      "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView') ORDER BY name",
    );
    expect(engines).toEqual([
      { name: 'alert_events', engine: 'MergeTree' },
      { name: 'bot_hit_samples', engine: 'ReplacingMergeTree' },
      { name: 'bot_visitors', engine: 'MergeTree' },
      { name: 'bots_minute', engine: 'SummingMergeTree' },
      { name: 'dashboard_definitions', engine: 'ReplacingMergeTree' },
      { name: 'dead_letters', engine: 'MergeTree' },
      { name: 'events', engine: 'MergeTree' },
      { name: 'moved_batches', engine: 'MergeTree' },
      { name: 'moved_hits', engine: 'Null' },
      { name: 'pages_hour', engine: 'SummingMergeTree' },
      { name: 'pipeline_health', engine: 'MergeTree' },
      { name: 'pipeline_stats', engine: 'SummingMergeTree' },
      { name: 'referrer_host_values', engine: 'Dictionary' },
      { name: 'referrer_hosts', engine: 'ReplacingMergeTree' },
      { name: 'replay_seeds', engine: 'MergeTree' },
      { name: 'schema_migrations', engine: 'ReplacingMergeTree' },
      { name: 'sessions', engine: 'ReplacingMergeTree' },
      { name: 'share_links', engine: 'ReplacingMergeTree' },
      { name: 'site_hosts', engine: 'ReplacingMergeTree' },
      { name: 'traffic_minute', engine: 'SummingMergeTree' },
      { name: 'user_agent_values', engine: 'Dictionary' },
      { name: 'user_agents', engine: 'ReplacingMergeTree' },
      { name: 'visitor_salts', engine: 'MergeTree' },
    ]);
    // Every column of the raw tables has its codec (none falls back to LZ4), set without a mutation.
    expect(
      await rows(
        ch,
        "SELECT table, name FROM system.columns WHERE database = currentDatabase() AND table IN ('events', 'bots_minute', 'bot_hit_samples') AND compression_codec = ''",
      ),
    ).toEqual([]);
    expect(
      await rows(
        ch,
        "SELECT table, name, compression_codec AS codec FROM system.columns WHERE database = currentDatabase() AND table IN ('events', 'bot_hit_samples') AND name = 'ts' ORDER BY table",
      ),
    ).toEqual([
      { table: 'bot_hit_samples', name: 'ts', codec: 'CODEC(Delta(8), ZSTD(1))' },
      { table: 'events', name: 'ts', codec: 'CODEC(Delta(8), ZSTD(1))' },
    ]);
    expect(await rows(ch, 'SELECT count() AS n FROM system.mutations WHERE database = currentDatabase()')).toEqual([{ n: 0 }]);
    await ch.close();
  });

  it('refuses to run when an applied migration was edited', async () => {
    const ch = await freshClickHouse();
    const dir = tempDir('migrations');
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    appendFileSync(join(dir, '0002_sessions.sql'), '\n-- edited\n');
    await expect(migrate(ch, { dir })).rejects.toThrow(/0002_sessions.sql changed after it was applied/);
    await ch.close();
  });

  it('0007 moves the salts of the last two days into visitor_salts, and can run again after an interruption', async () => {
    const ch = await freshClickHouse({ migrate: false });
    await migrate(ch, { dir: migrationsBefore('0007') });
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    await clientOf(ch).insert({
      table: 'salts',
      format: 'JSONEachRow',
      values: [
        { day: day(0), salt: 'aa' },
        { day: day(1), salt: 'bb' },
        { day: day(9), salt: 'cc' },
      ],
    });
    expect(await migrate(ch, { dir: migrationsBefore('0008') })).toEqual(['0007_salts_by_day.sql']);
    const salts = 'SELECT toString(day) AS day, min(salt) AS salt FROM visitor_salts GROUP BY day ORDER BY day';
    expect(await rows(ch, salts)).toEqual([
      { day: day(1), salt: 'bb' },
      { day: day(0), salt: 'aa' },
    ]);
    expect(await rows(ch, "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'salts'")).toEqual([]);
    // Interrupted after any statement, the whole migration runs again: nothing breaks, no salt changes.
    for (const statement of splitStatements(readFileSync(join(MIGRATIONS_DIR, '0007_salts_by_day.sql'), 'utf8')))
      await clientOf(ch).command({ query: statement });
    expect(await rows(ch, salts)).toEqual([
      { day: day(1), salt: 'bb' },
      { day: day(0), salt: 'aa' },
    ]);
    await ch.close();
  });

  it('0008 rebuilds sessions for event time, keeping every session, and can run again after an interruption at any statement', async () => {
    const ch = await freshClickHouse({ migrate: false });
    await migrate(ch, { dir: migrationsBefore('0008') });
    const id = '00000000-0000-4000-8000-000000000001';
    const old = {
      site: 's',
      session_id: id,
      visitor_id: 7,
      start_ts: '2026-11-28 10:00:00',
      end_ts: '2026-11-28 10:05:00',
      duration_s: 300,
      hits: 3,
      pageviews: 2,
      is_bounce: 0,
      entry_path: '/a',
      exit_path: '/b',
      referrer_host: '',
      channel: 'direct',
      utm_source: '',
      utm_medium: '',
      utm_campaign: '',
      browser: 'Firefox',
      os: 'Linux',
      device_type: 'desktop',
      country: '',
      version: 3,
      stream: 'local',
      last_offset: 41,
    };
    await clientOf(ch).insert({ table: 'sessions', format: 'JSONEachRow', values: [old, { ...old, hits: 2, version: 2 }] });
    expect(await migrate(ch, { dir: migrationsBefore('0009') })).toEqual(['0008_sessions_by_event_time.sql']);
    const read =
      'SELECT toString(session_id) AS id, hits, pageviews, entry_path, toString(entry_ts) AS entry_ts, exit_path, toString(exit_ts) AS exit_ts, last_offset, merged_ids, is_deleted FROM sessions FINAL';
    const expected = [
      {
        id,
        hits: 3,
        pageviews: 2,
        entry_path: '/a',
        entry_ts: '2026-11-28 10:00:00.000',
        exit_path: '/b',
        exit_ts: '2026-11-28 10:05:00.000',
        last_offset: 41,
        merged_ids: [],
        is_deleted: 0,
      },
    ];
    expect(await rows(ch, read)).toEqual(expected);
    const [engine] = await rows<{ engine_full: string }>(
      ch,
      "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'sessions'",
    );
    expect(engine!.engine_full).toMatch(/^ReplacingMergeTree\(version, is_deleted\)/);
    // Interrupted after any statement, the whole migration runs again and no session is lost or doubled.
    const statements = splitStatements(readFileSync(join(MIGRATIONS_DIR, '0008_sessions_by_event_time.sql'), 'utf8'));
    for (let done = 1; done <= statements.length; done++) {
      for (const statement of [...statements.slice(0, done), ...statements]) await clientOf(ch).command({ query: statement });
      expect(await rows(ch, read)).toEqual(expected);
    }
    await ch.close();
  });

  it('0016 counts the stored bot hits into bots_minute, keeps samples, drops bot_hits, and can run again after an interruption at any statement', async () => {
    const hit = (ts: string, path: string, status: number, bytes: number, user_agent = 'Googlebot/2.1') => ({
      site: 's',
      ts,
      source: 'log',
      path,
      status,
      bytes,
      bot_name: user_agent === 'Googlebot/2.1' ? 'Googlebot' : 'curl',
      reason: 'user_agent_pattern',
      user_agent,
    });
    const stored = [
      hit('2026-11-28 10:00:01.000', '/a', 200, 10),
      hit('2026-11-28 10:00:59.000', '/a', 200, 5),
      hit('2026-11-28 10:00:30.000', '/b', 404, 1),
      hit('2026-11-28 10:01:00.000', '/a', 200, 7),
      hit('2026-11-28 11:00:00.000', '/c', 200, 2, 'curl/8.5.0'),
      hit('2026-11-29 00:00:00.000', '/a', 500, 3),
    ];
    const rollup = 'SELECT toString(minute) AS minute, path, status, hits, bytes FROM bots_minute FINAL ORDER BY minute, path';
    const expected = [
      { minute: '2026-11-28 10:00:00', path: '/a', status: 200, hits: 2, bytes: 15 },
      { minute: '2026-11-28 10:00:00', path: '/b', status: 404, hits: 1, bytes: 1 },
      { minute: '2026-11-28 10:01:00', path: '/a', status: 200, hits: 1, bytes: 7 },
      { minute: '2026-11-28 11:00:00', path: '/c', status: 200, hits: 1, bytes: 2 },
      { minute: '2026-11-29 00:00:00', path: '/a', status: 500, hits: 1, bytes: 3 },
    ];
    const samples = 'SELECT toString(ts) AS ts, bot_name, path, user_agent FROM bot_hit_samples FINAL ORDER BY ts';
    // The latest hit of each user agent of a day.
    const expectedSamples = [
      { ts: '2026-11-28 10:01:00.000', bot_name: 'Googlebot', path: '/a', user_agent: 'Googlebot/2.1' },
      { ts: '2026-11-28 11:00:00.000', bot_name: 'curl', path: '/c', user_agent: 'curl/8.5.0' },
      { ts: '2026-11-29 00:00:00.000', bot_name: 'Googlebot', path: '/a', user_agent: 'Googlebot/2.1' },
    ];
    const botsInTraffic = 'SELECT toUInt32(sum(bot_hits)) AS n FROM traffic_minute';
    const tables = "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'bot%' ORDER BY name";
    const statements = splitStatements(readFileSync(join(MIGRATIONS_DIR, '0016_bot_rollup.sql'), 'utf8'));
    // Interrupted after any statement (0: not at all), the whole migration runs again: nothing lost or counted twice.
    for (let done = 0; done <= statements.length; done++) {
      const ch = await freshClickHouse({ migrate: false });
      await migrate(ch, { dir: migrationsBefore('0016') });
      await clientOf(ch).insert({ table: 'bot_hits', format: 'JSONEachRow', values: stored });
      expect(await rows(ch, botsInTraffic)).toEqual([{ n: 6 }]);
      for (const statement of statements.slice(0, done)) await clientOf(ch).command({ query: statement });
      expect(await migrate(ch, { dir: migrationsBefore('0017') })).toEqual(['0016_bot_rollup.sql']);
      expect(await rows(ch, rollup)).toEqual(expected);
      expect(await rows(ch, samples)).toEqual(expectedSamples);
      expect(await rows(ch, botsInTraffic)).toEqual([{ n: 6 }]);
      expect((await rows<{ name: string }>(ch, tables)).map((t) => t.name)).toEqual(['bot_hit_samples', 'bot_visitors', 'bots_minute']);
      if (done === 0) {
        // From now on bot hits are counted into traffic_minute from the rollup.
        await clientOf(ch).insert({
          table: 'bots_minute',
          format: 'JSONEachRow',
          values: [{ ...expected[0], site: 's', minute: '2026-11-30 00:00:00', hits: 3 }],
        });
        expect(await rows(ch, botsInTraffic)).toEqual([{ n: 9 }]);
      }
      expect(await rows(ch, 'SELECT count() AS n FROM system.mutations WHERE database = currentDatabase()')).toEqual([{ n: 0 }]);
      await ch.close();
    }
  });

  it('splits statements at line-ending semicolons, ignoring comment lines', () => {
    expect(splitStatements('-- a; comment;\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\nSELECT 1;\n')).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      'SELECT 1',
    ]);
  });
});
