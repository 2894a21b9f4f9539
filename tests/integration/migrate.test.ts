/** The migrator on the real engine: once each, in order, recorded; edits after the fact are refused. */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, MIGRATIONS_DIR, splitStatements } from '../../clickhouse/migrate.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';

describe('migrate', () => {
  it('applies each migration once, records it, and sets the raw retention TTL from configuration', async () => {
    const ch = await freshClickHouse(); // already migrated once
    expect(await migrate(ch, { rawRetentionDays: 90 })).toEqual([]);
    const applied = await rows(ch, 'SELECT version, name FROM schema_migrations FINAL ORDER BY version');
    expect(applied.map((r) => r.name)).toEqual(['0001_events.sql', '0002_sessions.sql', '0003_rollups.sql', '0004_pipeline.sql', '0005_shared_processor_state.sql', '0006_replay_seeds.sql', '0007_salts_by_day.sql']);
    const [ttl] = await rows<{ q: string }>(ch, "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'events'");
    expect(ttl!.q).toMatch(/TTL toDateTime\(ts\) \+ toIntervalDay\(_CAST\(90, 'UInt32'\)\)/);
    await migrate(ch, { rawRetentionDays: 0 });
    const [none] = await rows<{ q: string }>(ch, "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'events'");
    expect(none!.q).not.toMatch(/TTL/);
    // Every table uses the codecs and engines the design asks for.
    const engines = await rows(ch, "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView') ORDER BY name");
    expect(engines).toEqual([
      { name: 'bot_hits', engine: 'MergeTree' }, { name: 'dead_letters', engine: 'MergeTree' }, { name: 'events', engine: 'MergeTree' },
      { name: 'pages_hour', engine: 'SummingMergeTree' }, { name: 'pipeline_stats', engine: 'SummingMergeTree' }, { name: 'replay_seeds', engine: 'MergeTree' },
      { name: 'schema_migrations', engine: 'ReplacingMergeTree' }, { name: 'sessions', engine: 'ReplacingMergeTree' },
      { name: 'traffic_minute', engine: 'SummingMergeTree' }, { name: 'visitor_salts', engine: 'MergeTree' }, { name: 'visitors_hour', engine: 'AggregatingMergeTree' },
    ]);
    await ch.close();
  });

  it('refuses to run when an applied migration was edited', async () => {
    const ch = await freshClickHouse();
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    appendFileSync(join(dir, '0002_sessions.sql'), '\n-- edited\n');
    await expect(migrate(ch, { dir })).rejects.toThrow(/0002_sessions.sql changed after it was applied/);
    await ch.close();
  });

  it('0007 moves the salts of the last two days into visitor_salts, and can run again after an interruption', async () => {
    const ch = await freshClickHouse({ migrate: false });
    const upTo6 = mkdtempSync(join(tmpdir(), 'migrations-'));
    for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => f < '0007')) cpSync(join(MIGRATIONS_DIR, f), join(upTo6, f));
    await migrate(ch, { dir: upTo6 });
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    await clientOf(ch).insert({ table: 'salts', format: 'JSONEachRow', values: [{ day: day(0), salt: 'aa' }, { day: day(1), salt: 'bb' }, { day: day(9), salt: 'cc' }] });
    expect(await migrate(ch)).toEqual(['0007_salts_by_day.sql']);
    const salts = 'SELECT toString(day) AS day, min(salt) AS salt FROM visitor_salts GROUP BY day ORDER BY day';
    expect(await rows(ch, salts)).toEqual([{ day: day(1), salt: 'bb' }, { day: day(0), salt: 'aa' }]);
    expect(await rows(ch, "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'salts'")).toEqual([]);
    // Interrupted after any statement, the whole migration runs again: nothing breaks, no salt changes.
    for (const statement of splitStatements(readFileSync(join(MIGRATIONS_DIR, '0007_salts_by_day.sql'), 'utf8'))) await clientOf(ch).command({ query: statement });
    expect(await rows(ch, salts)).toEqual([{ day: day(1), salt: 'bb' }, { day: day(0), salt: 'aa' }]);
    await ch.close();
  });

  it('splits statements at line-ending semicolons, ignoring comment lines', () => {
    expect(splitStatements('-- a; comment;\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\nSELECT 1;\n')).toEqual(['CREATE TABLE a (x UInt8) ENGINE = Memory', 'SELECT 1']);
  });
});
