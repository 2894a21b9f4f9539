/**
 * The `.env` file compose.yaml reads (`scalehouse compose-env`): every
 * variable compose.yaml interpolates, listed once here —
 * tests/integration/compose-env.test.ts checks this list against compose.yaml — the
 * secrets fresh from the caller's random source, the optional ones as
 * commented examples. Pure: the command (commands/compose-env.ts) does the IO.
 */

/** How a variable gets its value: a secret made here, the sites, or left to the operator. */
type Source = { secret: 'hex' | 'password' } | { sites: true } | { optional: string };

interface ComposeVariable {
  name: string;
  /** The comment above its line: what it is for. */
  about: string;
  source: Source;
}

export const COMPOSE_VARIABLES: readonly ComposeVariable[] = [
  { name: 'SITES', about: 'The sites the collectors take hits for, comma-separated.', source: { sites: true } },
  { name: 'INGEST_TOKEN', about: 'Bearer token of POST /api/logs (shippers, `scalehouse tail --to`).', source: { secret: 'hex' } },
  { name: 'DASHBOARD_PASSWORD', about: "The built-in dashboard's login (http://127.0.0.1:8082).", source: { secret: 'password' } },
  {
    name: 'SESSION_SECRET',
    about: "Key of the dashboard's login cookies: logins outlive its container, and every dashboard accepts the others'.",
    source: { secret: 'hex' },
  },
  {
    name: 'GRAFANA_ADMIN_PASSWORD',
    about: "Grafana's admin user (http://127.0.0.1:3000), read on its first start only.",
    source: { secret: 'password' },
  },
  { name: 'CLICKHOUSE_PASSWORD', about: 'ClickHouse\'s admin user "scalehouse": the `migrate` service only.', source: { secret: 'hex' } },
  // One ClickHouse user per role, with only the rights it needs (clickhouse/access/scalehouse-users.xml).
  { name: 'SCALEHOUSE_COLLECTOR_PASSWORD', about: 'ClickHouse user scalehouse_collector.', source: { secret: 'hex' } },
  { name: 'SCALEHOUSE_PROCESSOR_PASSWORD', about: 'ClickHouse user scalehouse_processor.', source: { secret: 'hex' } },
  {
    name: 'SCALEHOUSE_READER_PASSWORD',
    about: "ClickHouse user scalehouse_reader (the dashboard's queries, Grafana).",
    source: { secret: 'hex' },
  },
  { name: 'SCALEHOUSE_ALERTS_PASSWORD', about: 'ClickHouse user scalehouse_alerts.', source: { secret: 'hex' } },
  {
    name: 'SCALEHOUSE_DASHBOARD_PASSWORD',
    about: 'ClickHouse user scalehouse_dashboard (goals, funnels, shared links).',
    source: { secret: 'hex' },
  },
  {
    name: 'TRUSTED_PROXIES',
    about: 'Proxies whose X-Forwarded-For the collector and the dashboard believe (docs/operations.md).',
    source: { optional: '172.18.0.1' },
  },
  {
    name: 'DASHBOARD_SECURE_COOKIES',
    about: 'true once the dashboard is reached over https, behind a TLS proxy (docs/operations.md).',
    source: { optional: 'true' },
  },
  { name: 'PUBLIC_URL', about: 'Where people open the dashboard: the links in alerts.', source: { optional: 'https://stats.example.com' } },
  { name: 'ALERT_WEBHOOKS', about: 'Where alerts go (docs/alerts.md).', source: { optional: 'slack:https://hooks.slack.com/services/…' } },
  {
    name: 'SCALEHOUSE_ALERT_WEBHOOK_URL',
    about: "The webhook of Grafana's own alert rules (grafana/provisioning/alerting/README.md).",
    source: { optional: 'https://hooks.example.com/grafana' },
  },
];

/**
 * Sizes of the secrets: 32 random bytes (256 bits) for what only machines
 * type; 18 bytes (144 bits, 24 characters) for the two passwords a person
 * types, well above config.ts's 12-character minimum. Hex and base64url only:
 * no `$`, quote, `#` or space, which compose's .env reading would interpolate
 * or cut (Compose Specification, "Interpolation" and .env syntax).
 */
const HEX_BYTES = 32;
const PASSWORD_BYTES = 18;

export function writeComposeEnv(options: { sites: string[]; randomBytes: (size: number) => Buffer; now: Date }): string {
  const lines = [
    `# Written by \`scalehouse compose-env\` on ${options.now.toISOString()} for compose.yaml.`,
    '# Secrets: keep this file to yourself (it is owner-only when written with --out) and out of git',
    '# (.gitignore lists it). docs/operations.md says how to change one later.',
  ];
  for (const v of COMPOSE_VARIABLES) {
    lines.push('', `# ${v.about}`);
    const s = v.source;
    if ('optional' in s) lines.push(`#${v.name}=${s.optional}`);
    else if ('sites' in s) lines.push(`${v.name}=${options.sites.join(',')}`);
    else {
      const bytes = options.randomBytes(s.secret === 'hex' ? HEX_BYTES : PASSWORD_BYTES);
      lines.push(`${v.name}=${bytes.toString(s.secret === 'hex' ? 'hex' : 'base64url')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
