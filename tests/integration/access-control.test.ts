/**
 * The ClickHouse users of server mode (clickhouse/access/scalehouse-users.xml),
 * loaded by the real engine: the embedded engine reads the same users.d format
 * as a ClickHouse server (with the engine's own default user added, which the
 * embedded engine runs every query as). Checked here: the file parses, the
 * passwords come from the environment, each user has exactly its grants —
 * for the processor, the alert evaluator and the dashboard's own user, exactly
 * the tables their code names (the SQL files it runs, the tables it inserts
 * into, and what materialized views pass those inserts on to) — and
 * docs/security.md lists every user with the tables it may touch; the
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
import { readSql } from '../../clickhouse/sql.ts';
import { rows } from '../helpers/clickhouse.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const USERS = fileURLToPath(new URL('../../clickhouse/access/scalehouse-users.xml', import.meta.url));
const PASSWORDS = {
  SCALEHOUSE_COLLECTOR_PASSWORD: 'collector-secret',
  SCALEHOUSE_PROCESSOR_PASSWORD: 'processor-secret',
  SCALEHOUSE_READER_PASSWORD: 'reader-secret',
  SCALEHOUSE_ALERTS_PASSWORD: 'alerts-secret',
  SCALEHOUSE_DASHBOARD_PASSWORD: 'dashboard-secret',
};
/**
 * Tables the reader must never see: the salts (an address guess could be tested against visitor ids), replay seeds, the
 * migrator's own, and the dashboard's shared links (token digests, password hashes: scalehouse_dashboard's alone).
 */
// Not the reader's: secrets, bookkeeping (the migrator's, the processor's marks of moved batches), links, and the engine
// program's memory of user agents and referrer hosts.
const PRIVATE = [
  'visitor_salts',
  'replay_seeds',
  'schema_migrations',
  'moved_batches',
  'share_links',
  'user_agents',
  'referrer_hosts',
  'user_agent_values',
  'referrer_host_values',
];

let ch: ClickHouse;
let session: { close(): void };

beforeAll(async () => {
  const dir = tempDir('access');
  // The file as shipped, plus the embedded engine's own default user (it runs every query as that user).
  const users = readFileSync(USERS, 'utf8').replace(
    '<users>',
    '<users><default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota><access_management>1</access_management></default>',
  );
  writeFileSync(join(dir, 'users.xml'), users.replace('<profiles>', '<profiles><default/>').replace('<quotas>', '<quotas><default/>'));
  writeFileSync(
    join(dir, 'config.xml'),
    `<clickhouse><user_directories><users_xml><path>${join(dir, 'users.xml')}</path></users_xml></user_directories></clickhouse>`,
  );
  Object.assign(process.env, PASSWORDS);
  const path = join(dir, 'clickhouse');
  mkdirSync(path);
  // The first session of the process sets the engine up, with this configuration; the handle below shares it.
  const { Session } = createRequire(import.meta.url)('chdb') as { Session: new (path: string, opts: object) => { close(): void } };
  session = new Session(path, { connectionArgs: [`--config-file=${join(dir, 'config.xml')}`] });
  ch = await connectClickHouse({
    CLICKHOUSE_URL: '',
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'scalehouse',
    DATA_DIR: dir,
  });
  await migrate(ch, { rawRetentionDays: 0 });
});
afterAll(async () => {
  await ch?.close();
  session?.close();
});

const grantsOf = async (user: string) =>
  (await rows<{ g: string }>(ch, `SHOW GRANTS FOR ${user}`)).map((r) => Object.values(r)[0] as string).sort();

/** A user's grants as `table: PRIVILEGE, …` lines (`*` for a grant on the whole database). */
async function grantedTables(user: string): Promise<string[]> {
  const byTable = new Map<string, Set<string>>();
  for (const g of await grantsOf(user)) {
    const m = /^GRANT (.+) ON (?:scalehouse\.)?(\w+|\*|\*\.\*) TO \w+$/.exec(g);
    if (!m) throw new Error(`unexpected grant: ${g}`);
    for (const p of m[1]!.split(', ')) byTable.set(m[2]!, (byTable.get(m[2]!) ?? new Set()).add(p));
  }
  return tableLines(byTable);
}

/** The tables the code of a role needs, as grantedTables writes them. */
async function tablesNeededBy(files: string[]): Promise<string[]> {
  const tables = (
    await rows<{ name: string }>(ch, "SELECT name FROM system.tables WHERE database = 'scalehouse' AND engine != 'MaterializedView'")
  ).map((t) => t.name);
  const needs = new Map<string, Set<string>>();
  const need = (table: string, privilege: string) => needs.set(table, (needs.get(table) ?? new Set()).add(privilege));
  for (const file of files) {
    const code = readRepo(file);
    for (const m of code.matchAll(/insert(?:Rows|Isolating)\(\s*[\w.]+,\s*'(\w+)'/g)) need(m[1]!, 'INSERT');
    for (const m of code.matchAll(/'((?:queries|schema)\/[\w/.-]+\.sql)'/g)) {
      // As the code runs it: its includes (-- @name) in place.
      let sql = (await readSql(m[1]!)).replace(/--.*$/gm, '');
      for (const d of sql.matchAll(/\bdictGet\w*\(\s*'(\w+)'/g)) need(d[1]!, 'dictGet');
      if (/\bSYSTEM\s+RELOAD\s+DICTIONARY\b/i.test(sql)) need('*.*', 'SYSTEM RELOAD DICTIONARY');
      if (/\bCREATE\s+TEMPORARY\s+TABLE\b/i.test(sql)) need('*.*', 'CREATE TEMPORARY TABLE');
      for (const d of sql.matchAll(/\bINSERT\s+INTO\s+(\w+)/gi)) need(d[1]!, 'INSERT');
      // A lightweight DELETE and ALTER TABLE … DROP PARTITION both take ALTER DELETE (ClickHouse's GRANT docs).
      for (const d of sql.matchAll(/\bDELETE\s+FROM\s+(\w+)|\bALTER\s+TABLE\s+(\w+)\s+DROP\s+PARTITION\b/gi))
        need((d[1] ?? d[2])!, 'ALTER DELETE');
      sql = sql.replace(/\bDELETE\s+FROM\b/gi, '');
      for (const d of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)\b(?!\.)/gi)) if (tables.includes(d[1]!)) need(d[1]!, 'SELECT');
    }
  }
  // What an insert reaches through materialized views (a view's push into its TO table), view after view.
  const views = (
    await rows<{ q: string }>(
      ch,
      "SELECT create_table_query AS q FROM system.tables WHERE database = 'scalehouse' AND engine = 'MaterializedView'",
    )
  ).map((v) => ({ to: /\bTO scalehouse\.(\w+)/.exec(v.q)![1]!, from: /\bFROM scalehouse\.(\w+)/.exec(v.q)![1]! }));
  for (let grew = true; grew; ) {
    grew = false;
    for (const v of views)
      if (needs.get(v.from)?.has('INSERT') && !needs.get(v.to)?.has('INSERT')) {
        need(v.to, 'INSERT');
        grew = true;
      }
  }
  return tableLines(needs);
}

const ORDER = ['SELECT', 'INSERT', 'ALTER DELETE'];
const tableLines = (byTable: Map<string, Set<string>>) =>
  [...byTable].map(([t, p]) => `${t}: ${[...p].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)).join(', ')}`).sort();

/** Every .ts file of the given folders and files (tests aside). */
const codeOf = (...paths: string[]): string[] =>
  paths.flatMap((p) => (p.endsWith('.ts') ? [p] : readAllNames(p).filter((f) => f.endsWith('.ts'))));

describe('ClickHouse users for server mode', () => {
  it('defines the five users, with passwords from the environment', async () => {
    const users = await rows<{ name: string; auth_type: string[]; storage: string }>(
      ch,
      "SELECT name, auth_type, storage FROM system.users WHERE name LIKE 'scalehouse_%' ORDER BY name",
    );
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
    // Exactly the tables its code names: alerts/, but for the health report, which collectors and processors send.
    expect(await grantedTables('scalehouse_alerts')).toEqual(
      await tablesNeededBy(codeOf('alerts').filter((f) => f !== 'alerts/health-report.ts')),
    );
  });

  it("lets the dashboard's own user read and write only its goals, funnels and shared links", async () => {
    expect(await grantsOf('scalehouse_dashboard')).toEqual([
      'GRANT SELECT, INSERT ON scalehouse.dashboard_definitions TO scalehouse_dashboard',
      'GRANT SELECT, INSERT ON scalehouse.share_links TO scalehouse_dashboard',
    ]);
    // Exactly the tables its code names: the stores of goals and funnels and of shared links.
    expect(await grantedTables('scalehouse_dashboard')).toEqual(
      await tablesNeededBy(codeOf('dashboard/goals/store.ts', 'dashboard/share/store.ts')),
    );
    // The reader reads the goals and funnels (their named queries read the definitions), never the links.
    const reader = (await grantsOf('scalehouse_reader')).join(' ');
    expect(reader).toContain('scalehouse.dashboard_definitions ');
    expect(reader).not.toContain('share_links');
  });

  it('lets the processor touch exactly the tables its code names: what a batch loads and restores, salts and replay seeds', async () => {
    const granted = await grantedTables('scalehouse_processor');
    expect(granted).toEqual([
      '*.*: CREATE TEMPORARY TABLE, SYSTEM RELOAD DICTIONARY',
      'bot_hit_samples: INSERT',
      'bot_visitors: SELECT, INSERT',
      'bots_minute: INSERT',
      'dead_letters: INSERT',
      'events: SELECT, INSERT',
      'moved_batches: SELECT, INSERT',
      'moved_hits: INSERT',
      'pages_hour: INSERT',
      'pipeline_health: INSERT',
      'pipeline_stats: SELECT, INSERT',
      'referrer_host_values: dictGet',
      'referrer_hosts: INSERT',
      'replay_seeds: SELECT, INSERT, ALTER DELETE',
      'sessions: SELECT, INSERT',
      'site_hosts: SELECT, INSERT',
      'traffic_minute: INSERT',
      'user_agent_values: dictGet',
      'user_agents: INSERT',
      'visitor_salts: SELECT, INSERT, ALTER DELETE',
    ]);
    // processor/ (replay included) and its minutely health report; never the dashboard's settings, the alerts or the migrator's table.
    expect(granted).toEqual(await tablesNeededBy(codeOf('processor', 'alerts/health-report.ts')));
    for (const t of ['share_links', 'dashboard_definitions', 'alert_events', 'schema_migrations'])
      expect(granted.join(' ')).not.toContain(t);
  });

  it('are each listed in docs/security.md with every table they may touch', async () => {
    const doc = readRepo('docs/security.md');
    const section = doc.slice(doc.indexOf('## ClickHouse users'), doc.indexOf('\n## ', doc.indexOf('## ClickHouse users') + 1));
    const users = (
      await rows<{ name: string }>(
        ch,
        "SELECT name FROM system.users WHERE storage = 'users_xml' AND name LIKE 'scalehouse_%' ORDER BY name",
      )
    ).map((u) => u.name);
    const documented = [...section.matchAll(/^\| `(scalehouse_\w+)` \|.*$/gm)];
    expect(documented.map((m) => m[1]).sort()).toEqual(users);
    for (const [row, user] of documented.map((m) => [m[0], m[1]!] as const)) {
      // The reader's row says what it never reads; every other row, each table it is granted.
      const named = user === 'scalehouse_reader' ? PRIVATE : (await grantedTables(user)).map((l) => l.split(':')[0]!);
      expect(
        named.filter((t) => !row.includes(`\`${t}\``)),
        user,
      ).toEqual([]);
    }
  });

  it('lets the reader read every table the dashboards show and none of the private ones', async () => {
    const granted = (await grantsOf('scalehouse_reader')).map(
      (g) => /^GRANT SELECT ON scalehouse\.(\w+) TO scalehouse_reader$/.exec(g)?.[1] ?? `unexpected: ${g}`,
    );
    expect(granted.filter((t) => t.startsWith('unexpected'))).toEqual([]);
    for (const t of PRIVATE) expect(granted).not.toContain(t);
    // Every stored table of the schema is either shown (granted) or private: a new table needs a decision here.
    const tables = (
      await rows<{ name: string }>(
        ch,
        "SELECT name FROM system.tables WHERE database = 'scalehouse' AND engine NOT IN ('MaterializedView', 'Null', 'View') ORDER BY name",
      )
    ).map((t) => t.name);
    expect(tables.filter((t) => !granted.includes(t) && !PRIVATE.includes(t))).toEqual([]);
    // And every table a dashboard query or a Grafana panel reads is granted.
    const sql = [join('clickhouse', 'queries', 'dashboard'), join('grafana', 'provisioning')].flatMap((d) => readAll(d));
    const read = new Set(
      sql.flatMap((text) => [...text.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\b/g)].map((m) => m[1]!)).filter((t) => tables.includes(t)),
    );
    expect([...read].filter((t) => !granted.includes(t))).toEqual([]);
  });

  it('keeps the reader read-only, within time, memory and result limits it cannot raise, and under a quota', async () => {
    const elements = await rows<{ setting_name: string; value: string; max: string | null; writability: string | null }>(
      ch,
      "SELECT setting_name, value, max, writability FROM system.settings_profile_elements WHERE profile_name = 'scalehouse_reader' AND setting_name != '' ORDER BY setting_name",
    );
    const byName = Object.fromEntries(elements.map((e) => [e.setting_name, e]));
    expect(byName.readonly).toMatchObject({ value: '2', writability: 'CONST' });
    expect(byName.max_execution_time).toMatchObject({ value: '30', max: '60' });
    expect(byName.max_memory_usage).toMatchObject({ value: '2000000000', max: '4000000000' });
    expect(byName.max_result_rows).toMatchObject({ value: '1000000', max: '1000000' });
    expect(byName.result_overflow_mode).toMatchObject({ value: 'throw', writability: 'CONST' });
    const quota = await rows<{ duration: number; max_queries: number; max_execution_time: number }>(
      ch,
      "SELECT duration, max_queries, max_execution_time FROM system.quota_limits WHERE quota_name = 'scalehouse_reader'",
    );
    expect(quota).toEqual([{ duration: 60, max_queries: 1200, max_execution_time: 600 }]);
  });
});

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const readRepo = (path: string) => readFileSync(join(REPO, path), 'utf8');
/** Repository-relative paths of the files under `dir`. */
function readAllNames(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((f) => {
    const rel = join(dir, f);
    return statSync(join(REPO, rel)).isDirectory() ? readAllNames(rel) : [rel.split('\\').join('/')];
  });
}

function readAll(dir: string): string[] {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const walk = (d: string): string[] =>
    readdirSync(join(root, d)).flatMap((f) => {
      const rel = join(d, f);
      return statSync(join(root, rel)).isDirectory()
        ? walk(rel)
        : /\.(sql|json|yaml)$/.test(f)
          ? [readFileSync(join(root, rel), 'utf8')]
          : [];
    });
  return walk(dir);
}
