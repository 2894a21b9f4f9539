/**
 * Migrations for a cluster (clickhouse/on-cluster.ts), over every migration in
 * clickhouse/migrations and the migrator's own statements: for one server the
 * statements run are exactly today's; for a cluster every DDL statement is ON
 * CLUSTER, every *MergeTree table is replicated, views write to replicated
 * tables, Null tables stay Null, and nothing else changes. What the real
 * parser and engine make of the result: tests/integration/migrate-cluster.test.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements } from '../../clickhouse/migrate.ts';
import { DEDUPLICATION_SECONDS, onCluster } from '../../clickhouse/on-cluster.ts';

const migrations = await loadMigrations();
const SCHEMA = ['create-database.sql', 'schema_migrations.sql', 'retention-set.sql', 'retention-remove.sql'].map((f) => ({
  name: `schema/${f}`,
  sql: readFileSync(new URL(`../../clickhouse/schema/${f}`, import.meta.url), 'utf8'),
}));
const ALL = [...migrations, ...SCHEMA];
const ARGS = "'/clickhouse/tables/{uuid}/{shard}', '{replica}'";

/** The one-server statement back from the cluster's: every change the transformation makes, undone. */
const undo = (s: string) =>
  s
    .replace(' ON CLUSTER scalehouse', '')
    .replace(
      /ENGINE = Replicated(\w*)MergeTree\('\/clickhouse\/tables\/\{uuid\}\/\{shard\}', '\{replica\}'(?:, )?/,
      (_, f: string) => `ENGINE = ${f}MergeTree(`,
    )
    .replace(/MergeTree\(\)/, 'MergeTree')
    .replace(`, replicated_deduplication_window_seconds = ${DEDUPLICATION_SECONDS}`, '')
    .replace('replicated_deduplication_window', 'non_replicated_deduplication_window');

describe('migrations on one server', () => {
  it("keeps the checksums users' databases recorded: the migrations files are unchanged", () => {
    const recorded = [
      ['0001_events.sql', 'ee8fbbf159a7d5c24d927d660c4f4bec90dbdda562be9ce548d192585c850cfa'],
      ['0002_sessions.sql', '150efba51cb454ee730814fa67824b9dd3e79b0dfd805d77f2f37594090092c6'],
      ['0003_rollups.sql', '2538cf5d96878227f0462f52efea19ea28d50d20bca0428ce6d836242d31ddf5'],
      ['0004_pipeline.sql', '6f28b5b959384af5921c329fce2059b5e2ed5717a72f351419db9c985cc1f7a8'],
      ['0005_shared_processor_state.sql', 'c76b584089b8b1b8c32f7c7903e3aa5cb5bb9c66b7deea217a6b261bc9f72d93'],
      ['0006_replay_seeds.sql', '07891ed26cf2e3aef7418dbaf71bb900266207eab008a97745083679df64a263'],
      ['0007_salts_by_day.sql', '537c16937a2dca20a3bb8bb1bd86633aac33ab3512bc5bdc9b43d851feb8742e'],
      ['0008_sessions_by_event_time.sql', '3d101c58cf66b2e29fa9941f97222ff8279f3c8e4c9e537b6cc5257825f018c0'],
      ['0009_site_hosts.sql', '549b7c83f88d7db15867be2d645fddb9fcc70dd1eb68bdb7cc8e2824a435ece1'],
      ['0010_timing_and_twins.sql', '2c609cade5e4d0ac0e1e52703fcbf6829b61de3e5e877ecafbfba5b7f9ba8931'],
      ['0011_drop_visitors_hour.sql', '46b6ac176315afae7d5f116261cc9574bf568be2ff68a017b7ca0723804dda78'],
      ['0012_bot_visitors.sql', 'dd2fac252b6038f61296e3d474b8a1180029ec431fc3ec00fbd1058ba55b8e6a'],
      ['0013_codecs.sql', '16aadf5b895e21163c0890bb240e8f16d589ec1f24b738d951009a4de6396500'],
    ];
    const byName = new Map(migrations.map((m) => [m.name, m]));
    for (const [name, checksum] of recorded) {
      expect(byName.get(name!)?.checksum, name).toBe(checksum);
      expect(createHash('sha256').update(byName.get(name!)!.sql).digest('hex')).toBe(checksum);
    }
  });

  it.each(ALL.map((m) => [m.name, m.sql]))('%s: every statement byte for byte as before', (_, sql) => {
    const statements = splitStatements(sql);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) expect(onCluster(s, '')).toBe(s);
  });
});

describe('migrations on a cluster', () => {
  it.each(ALL.map((m) => [m.name, m.sql]))('%s: ON CLUSTER, replicated, and nothing else changed', (_, sql) => {
    for (const s of splitStatements(sql)) {
      const c = onCluster(s, 'scalehouse');
      if (/^(INSERT|SELECT|USE)\b/.test(s)) {
        expect(c).toBe(s); // runs once; the replicated tables copy its rows
        continue;
      }
      expect(s).toMatch(/^(CREATE|ALTER|DROP|RENAME)\b/);
      expect(c.match(/ON CLUSTER/g)).toEqual(['ON CLUSTER']);
      expect(c).toMatch(
        /^(CREATE (TABLE|DATABASE|DICTIONARY|MATERIALIZED VIEW) (IF NOT EXISTS )?|ALTER TABLE |DROP (TABLE|VIEW) IF EXISTS |RENAME TABLE \w+ TO )[\w{}:]+ ON CLUSTER scalehouse\b/,
      );
      expect(c).not.toMatch(/ENGINE = (?!Replicated)\w*MergeTree/);
      expect(c).not.toMatch(/non_replicated_deduplication_window/);
      if (/ENGINE = \w*MergeTree/.test(s)) expect(c).toContain(`MergeTree(${ARGS}`);
      if (/ENGINE = Null/.test(s)) expect(c).toMatch(/ENGINE = Null$/);
      expect(undo(c)).toBe(s);
    }
  });

  it('makes every table a materialized view writes to a replicated one', () => {
    const engines = new Map<string, string>();
    const targets: string[] = [];
    for (const m of migrations) {
      for (const c of splitStatements(m.sql).map((s) => onCluster(s, 'scalehouse'))) {
        const table = /^CREATE TABLE (?:IF NOT EXISTS )?(\w+) [\s\S]*\bENGINE = (\w+)/.exec(c);
        if (table) engines.set(table[1]!, table[2]!);
        const rename = /^RENAME TABLE (\w+) TO (\w+)/.exec(c);
        if (rename) engines.set(rename[2]!, engines.get(rename[1]!)!);
        const view = /^CREATE MATERIALIZED VIEW (?:IF NOT EXISTS )?\w+ ON CLUSTER scalehouse TO (\w+) AS/.exec(c);
        if (view) targets.push(view[1]!);
      }
    }
    expect([...new Set(targets)].sort()).toEqual([
      'bot_hit_samples',
      'bot_hits',
      'bots_minute',
      'pages_hour',
      'traffic_minute',
      'visitors_hour',
    ]);
    for (const t of targets) expect(engines.get(t), t).toMatch(/^Replicated\w*MergeTree$/);
    expect(engines.get('moved_hits')).toBe('Null');
    expect(engines.get('sessions')).toBe('ReplicatedReplacingMergeTree');
  });

  it.each([
    [
      'CREATE TABLE IF NOT EXISTS site_hosts\n(\n    site String\n)\nENGINE = ReplacingMergeTree\nORDER BY (site, host)\nSETTINGS non_replicated_deduplication_window = 1000',
      `CREATE TABLE IF NOT EXISTS site_hosts ON CLUSTER scalehouse\n(\n    site String\n)\nENGINE = ReplicatedReplacingMergeTree(${ARGS})\nORDER BY (site, host)\nSETTINGS replicated_deduplication_window = 1000, replicated_deduplication_window_seconds = 604800`,
    ],
    [
      'CREATE TABLE t (v UInt64, d UInt8) ENGINE = ReplacingMergeTree(v, d) ORDER BY v',
      `CREATE TABLE t ON CLUSTER scalehouse (v UInt64, d UInt8) ENGINE = ReplicatedReplacingMergeTree(${ARGS}, v, d) ORDER BY v`,
    ],
    [
      'CREATE TABLE t (k UInt8, a UInt64, b UInt64) ENGINE = SummingMergeTree((a, b)) ORDER BY k',
      `CREATE TABLE t ON CLUSTER scalehouse (k UInt8, a UInt64, b UInt64) ENGINE = ReplicatedSummingMergeTree(${ARGS}, (a, b)) ORDER BY k`,
    ],
    [
      'CREATE TABLE t (x UInt8) ENGINE = MergeTree() ORDER BY x',
      `CREATE TABLE t ON CLUSTER scalehouse (x UInt8) ENGINE = ReplicatedMergeTree(${ARGS}) ORDER BY x`,
    ],
    [
      'CREATE TABLE IF NOT EXISTS moved_hits\n(\n    site String\n)\nENGINE = Null',
      'CREATE TABLE IF NOT EXISTS moved_hits ON CLUSTER scalehouse\n(\n    site String\n)\nENGINE = Null',
    ],
    ['ALTER TABLE {table:Identifier} REMOVE TTL', 'ALTER TABLE {table:Identifier} ON CLUSTER scalehouse REMOVE TTL'],
    ['CREATE DATABASE IF NOT EXISTS {database:Identifier}', 'CREATE DATABASE IF NOT EXISTS {database:Identifier} ON CLUSTER scalehouse'],
    ['RENAME TABLE a TO b, c TO d', 'RENAME TABLE a TO b, c TO d ON CLUSTER scalehouse'],
    ['DROP VIEW IF EXISTS traffic_minute_from_events', 'DROP VIEW IF EXISTS traffic_minute_from_events ON CLUSTER scalehouse'],
    ['INSERT INTO a SELECT * FROM b SETTINGS insert_deduplicate = 0', 'INSERT INTO a SELECT * FROM b SETTINGS insert_deduplicate = 0'],
  ])('%s', (statement, expected) => {
    expect(onCluster(statement, 'scalehouse')).toBe(expected);
  });

  it.each([
    ['OPTIMIZE TABLE events FINAL', 'scalehouse', /no rule for it/],
    ['SYSTEM SYNC REPLICA events', 'scalehouse', /no rule for it/],
    ['CREATE TABLE t ON CLUSTER other (x UInt8) ENGINE = Null', 'scalehouse', /leave ON CLUSTER to CLICKHOUSE_CLUSTER/],
    ['CREATE TABLE t (x UInt8) ENGINE = Null', 'my cluster', /not a cluster name/],
    ['CREATE TABLE t (x UInt8) ENGINE = ReplacingMergeTree(x ORDER BY x', 'scalehouse', /unbalanced parentheses/],
  ])('refuses what it cannot make safe for a cluster: %s', (statement, cluster, error) => {
    expect(() => onCluster(statement, cluster)).toThrow(error);
  });
});
