import { SETTINGS } from '../common/config.ts';

export function helpText(): string {
  const settings = Object.entries(SETTINGS)
    .map(([key, s]) => `  ${key.padEnd(24)} ${s.describe} (default: ${s.default === '' ? 'empty' : s.default})`)
    .join('\n');
  return `Usage: scalehouse <command> [options]

Commands:
  start                 Run collector, processor and ClickHouse in one process (embedded mode).
  collector             Distributed mode: only the HTTP intake, writing to Kafka (needs KAFKA_BROKERS).
  processor             Distributed mode: only the Kafka consumer loading ClickHouse (needs KAFKA_BROKERS).
  dashboard             Only the web UI and query API, reading ClickHouse (CLICKHOUSE_URL).
  migrate               Apply the ClickHouse migrations and exit.
  replay FILE...        Import historical access logs (plain or .gz). Options: --site NAME (default: default).
  tail FILE...          Follow live access logs through rotation and restarts. Options: --site NAME,
                        --to URL (post to a collector, with --token), --from-end (skip what is there).
  explain [FILE|-]      Print, one JSON object per line, what the pipeline makes of each access-log line
                        (or beacon JSON): fields, browser, bot verdict, channel, pageview, session. --site NAME.
  token                 Make an API token for /api/stats (prints the token and the digest for DASHBOARD_TOKENS).
  help                  Show this text.

Settings (environment variables, or flags: --port 9000 sets PORT):
${settings}
`;
}
