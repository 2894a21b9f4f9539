/** The migrator on the real engine: once each, in order, recorded; edits after the fact are refused. */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, MIGRATIONS_DIR, splitStatements } from '../../clickhouse/migrate.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';

describe('migrate', () => {
  it('applies each migration once, records it, and sets the raw retention TTL from configuration', async () => {
    const ch = await freshClickHouse(); // already migrated once
    expect(await migrate(ch, { rawRetentionDays: 90 })).toEqual([]);
    const applied = await rows(ch, 'SELECT version, name FROM schema_migrations FINAL ORDER BY version');
    expect(applied.map((r) => r.name)).toEqual(['0001_events.sql', '0002_sessions.sql', '0003_rollups.sql', '0004_pipeline.sql', '0005_shared_processor_state.sql', '0006_replay_seeds.sql']);
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
      { name: 'salts', engine: 'MergeTree' }, { name: 'schema_migrations', engine: 'ReplacingMergeTree' }, { name: 'sessions', engine: 'ReplacingMergeTree' },
      { name: 'traffic_minute', engine: 'SummingMergeTree' }, { name: 'visitors_hour', engine: 'AggregatingMergeTree' },
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

  it('splits statements at line-ending semicolons, ignoring comment lines', () => {
    expect(splitStatements('-- a; comment;\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\nSELECT 1;\n')).toEqual(['CREATE TABLE a (x UInt8) ENGINE = Memory', 'SELECT 1']);
  });
});
