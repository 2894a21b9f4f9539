/**
 * The ClickHouse users of server mode (clickhouse/access/scalehouse-users.xml),
 * loaded by the real engine: the embedded engine reads the same users.d format
 * as a ClickHouse server (with the engine's own default user added, which the
 * embedded engine runs every query as). Checked here: the file parses, the
 * passwords come from the environment, each user has exactly its grants, the
 * reader's profile and quota hold the limits as constraints it cannot raise,
 * and every table of the migrated schema is either readable by the reader or
 * named private. Not checkable in the embedded engine: queries run AS these
 * users (it ignores --user and has impersonation off) — their enforcement is
 * the server's, on these same definitions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectClickHouse, type ClickHouse } from '../../clickhouse/connect.ts';
import { migrate } from '../../clickhouse/migrate.ts';
import { rows } from '../helpers/clickhouse.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const USERS = fileURLToPath(new URL('../../clickhouse/access/scalehouse-users.xml', import.meta.url));
const PASSWORDS = { SCALEHOUSE_COLLECTOR_PASSWORD: 'collector-secret', SCALEHOUSE_PROCESSOR_PASSWORD: 'processor-secret', SCALEHOUSE_READER_PASSWORD: 'reader-secret', SCALEHOUSE_ALERTS_PASSWORD: 'alerts-secret', SCALEHOUSE_DASHBOARD_PASSWORD: 'dashboard-secret' };
/**
 * Tables the reader must never see: the salts (an address guess could be tested against visitor ids), replay seeds, the
 * migrator's own, and the dashboard's shared links (token digests, password hashes: scalehouse_dashboard's alone).
 */
const PRIVATE = ['visitor_salts', 'replay_seeds', 'schema_migrations', 'share_links'];

let ch: ClickHouse;
let session: { close(): void };

beforeAll(async () => {
  const dir = tempDir('access');
  // The file as shipped, plus the embedded engine's own default user (it runs every query as that user).
  const users = readFileSync(USERS, 'utf8').replace('<users>', '<users><default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota><access_management>1</access_management></default>');
  writeFileSync(join(dir, 'users.xml'), users.replace('<profiles>', '<profiles><default/>').replace('<quotas>', '<quotas><default/>'));
  writeFileSync(join(dir, 'config.xml'), `<clickhouse><user_directories><users_xml><path>${join(dir, 'users.xml')}</path></users_xml></user_directories></clickhouse>`);
  Object.assign(process.env, PASSWORDS);
  const path = join(dir, 'clickhouse');
  mkdirSync(path);
  // The first session of the process sets the engine up, with this configuration; the handle below shares it.
  const { Session } = createRequire(import.meta.url)('chdb') as { Session: new (path: string, opts: object) => { close(): void } };
  session = new Session(path, { connectionArgs: [`--config-file=${join(dir, 'config.xml')}`] });
  ch = await connectClickHouse({ CLICKHOUSE_URL: '', CLICKHOUSE_USER: 'default', CLICKHOUSE_PASSWORD: '', CLICKHOUSE_DATABASE: 'scalehouse', DATA_DIR: dir });
  await migrate(ch, { rawRetentionDays: 0 });
});
afterAll(async () => {
  await ch?.close();
  session?.close();
});

const grantsOf = async (user: string) =>
  (await rows<{ g: string }>(ch, `SHOW GRANTS FOR ${user}`)).map((r) => Object.values(r)[0] as string).sort();

describe('ClickHouse users for server mode', () => {
  it('defines the five users, with passwords from the environment', async () => {
    const users = await rows<{ name: string; auth_type: string[]; storage: string }>(ch, "SELECT name, auth_type, storage FROM system.users WHERE name LIKE 'scalehouse_%' ORDER BY name");
    expect(users.map((u) => [u.name, u.auth_type, u.storage])).toEqual([
      ['scalehouse_alerts', ['plaintext_password'], 'users_xml'],
      ['scalehouse_collector', ['plaintext_password'], 'users_xml'],
      ['scalehouse_dashboard', ['plaintext_password'], 'users_xml'],
      ['scalehouse_processor', ['plaintext_password'], 'users_xml'],
      ['scalehouse_reader', ['plaintext_password'], 'users_xml'],
    ]);
    const file = readFileSync(USERS, 'utf8');
    for (const secret of Object.values(PASSWORDS)) expect(file).not.toContain(secret);
    expect(file).not.toMatch(/<password>[^<]/); // no password written in the file itself
  });

  it('lets the collector only read, make and drop the daily salts, and write its health report', async () => {
    expect(await grantsOf('scalehouse_collector')).toEqual([
      'GRANT INSERT ON scalehouse.pipeline_health TO scalehouse_collector',
      'GRANT SELECT, INSERT, ALTER DELETE ON scalehouse.visitor_salts TO scalehouse_collector',
    ]);
  });

  it('lets the alert evaluator read what it checks and write only its alerts', async () => {
    expect(await grantsOf('scalehouse_alerts')).toEqual([
      'GRANT SELECT ON scalehouse.pages_hour TO scalehouse_alerts',
      'GRANT SELECT ON scalehouse.pipeline_health TO scalehouse_alerts',
      'GRANT SELECT ON scalehouse.pipeline_stats TO scalehouse_alerts',
      'GRANT SELECT ON scalehouse.traffic_minute TO scalehouse_alerts',
      'GRANT SELECT, INSERT ON scalehouse.alert_events TO scalehouse_alerts',
    ]);
    // Every table its queries read is granted.
    const read = new Set(readAll(join('clickhouse', 'queries', 'alerts')).flatMap((text) => [...text.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\b/g)].map((m) => m[1]!)));
    const granted = (await grantsOf('scalehouse_alerts')).join(' ');
    expect([...read].filter((t) => !granted.includes(`scalehouse.${t} `))).toEqual([]);
  });

  it('lets the dashboard\'s own user read and write only its goals, funnels and shared links', async () => {
    expect(await grantsOf('scalehouse_dashboard')).toEqual([
      'GRANT SELECT, INSERT ON scalehouse.dashboard_definitions TO scalehouse_dashboard',
      'GRANT SELECT, INSERT ON scalehouse.share_links TO scalehouse_dashboard',
    ]);
    // Every table its queries read (and every table it writes: dashboard/goals/store.ts, dashboard/share/store.ts) is granted.
    const read = new Set(readAll(join('clickhouse', 'queries', 'definitions')).flatMap((text) => [...text.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\b/g)].map((m) => m[1]!)));
    expect([...read].sort()).toEqual(['dashboard_definitions', 'share_links']);
    // The reader reads the goals and funnels (their named queries read the definitions), never the links.
    const reader = (await grantsOf('scalehouse_reader')).join(' ');
    expect(reader).toContain('scalehouse.dashboard_definitions ');
    expect(reader).not.toContain('share_links');
  });

  it('lets the processor read and insert, never create, alter or drop (but expired salts)', async () => {
    expect(await grantsOf('scalehouse_processor')).toEqual([
      'GRANT ALTER DELETE ON scalehouse.visitor_salts TO scalehouse_processor',
      'GRANT SELECT, INSERT ON scalehouse.* TO scalehouse_processor',
    ]);
  });

  it('lets the reader read every table the dashboards show and none of the private ones', async () => {
    const granted = (await grantsOf('scalehouse_reader')).map((g) => /^GRANT SELECT ON scalehouse\.(\w+) TO scalehouse_reader$/.exec(g)?.[1] ?? `unexpected: ${g}`);
    expect(granted.filter((t) => t.startsWith('unexpected'))).toEqual([]);
    for (const t of PRIVATE) expect(granted).not.toContain(t);
    // Every stored table of the schema is either shown (granted) or private: a new table needs a decision here.
    const tables = (await rows<{ name: string }>(ch, "SELECT name FROM system.tables WHERE database = 'scalehouse' AND engine NOT IN ('MaterializedView', 'Null', 'View') ORDER BY name")).map((t) => t.name);
    expect(tables.filter((t) => !granted.includes(t) && !PRIVATE.includes(t))).toEqual([]);
    // And every table a dashboard query or a Grafana panel reads is granted.
    const sql = [join('clickhouse', 'queries', 'dashboard'), join('grafana', 'provisioning')].flatMap((d) => readAll(d));
    const read = new Set(sql.flatMap((text) => [...text.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\b/g)].map((m) => m[1]!)).filter((t) => tables.includes(t)));
    expect([...read].filter((t) => !granted.includes(t))).toEqual([]);
  });

  it('keeps the reader read-only, within time, memory and result limits it cannot raise, and under a quota', async () => {
    const elements = await rows<{ setting_name: string; value: string; max: string | null; writability: string | null }>(ch,
      "SELECT setting_name, value, max, writability FROM system.settings_profile_elements WHERE profile_name = 'scalehouse_reader' AND setting_name != '' ORDER BY setting_name");
    const byName = Object.fromEntries(elements.map((e) => [e.setting_name, e]));
    expect(byName.readonly).toMatchObject({ value: '2', writability: 'CONST' });
    expect(byName.max_execution_time).toMatchObject({ value: '30', max: '60' });
    expect(byName.max_memory_usage).toMatchObject({ value: '2000000000', max: '4000000000' });
    expect(byName.max_result_rows).toMatchObject({ value: '1000000', max: '1000000' });
    expect(byName.result_overflow_mode).toMatchObject({ value: 'throw', writability: 'CONST' });
    const quota = await rows<{ duration: number; max_queries: number; max_execution_time: number }>(ch,
      "SELECT duration, max_queries, max_execution_time FROM system.quota_limits WHERE quota_name = 'scalehouse_reader'");
    expect(quota).toEqual([{ duration: 60, max_queries: 1200, max_execution_time: 600 }]);
  });
});

function readAll(dir: string): string[] {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const walk = (d: string): string[] => readdirSync(join(root, d)).flatMap((f) => {
    const rel = join(d, f);
    return statSync(join(root, rel)).isDirectory() ? walk(rel) : /\.(sql|json|yaml)$/.test(f) ? [readFileSync(join(root, rel), 'utf8')] : [];
  });
  return walk(dir);
}
