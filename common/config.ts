/**
 * The only module that reads the environment. Every setting is declared once
 * here (name, default, parser, description); `loadConfig` validates all of
 * them and reports every bad value in one ConfigError. Command-line flags
 * override the environment: `--port 9000` sets PORT, `--data-dir x` DATA_DIR.
 */
import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { own } from './own.ts';

type Parser<T> = (raw: string) => T; // throws Error with a human reason

const int =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    // A signed whole number is a number out of range (-1), not a non-number ("abc", "1.5").
    if (!/^[+-]?\d+$/.test(raw.trim())) throw new Error(`must be a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${raw.trim()}`);
    return n;
  };

const text: Parser<string> = (raw) => raw.trim();
const flag: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === '') return false;
  throw new Error(`must be true or false, got "${raw}"`);
};

/** Scrypt and the login limits slow guessing down; they cannot save a short password. */
const MIN_PASSWORD_LENGTH = 12;
const password: Parser<string> = (raw) => {
  const value = raw.trim();
  if (value && value.length < MIN_PASSWORD_LENGTH)
    throw new Error(`must be at least ${MIN_PASSWORD_LENGTH} characters (or empty, to have one generated)`);
  return value;
};

/**
 * SESSION_SECRET is HMAC key material as typed (dashboard/auth/session.ts):
 * refused here when short, with every other bad value, rather than when the
 * dashboard first builds its key. 32 characters: at least 32 bytes, the
 * SHA-256 output size below which RFC 2104 (section 3) strongly discourages
 * an HMAC key.
 */
const MIN_SESSION_SECRET_LENGTH = 32;
const sessionSecret: Parser<string> = (raw) => {
  const value = raw.trim();
  if (value && value.length < MIN_SESSION_SECRET_LENGTH)
    throw new Error(`must be at least ${MIN_SESSION_SECRET_LENGTH} characters (or empty, to have a key kept in DATA_DIR)`);
  return value;
};

const identifier: Parser<string> = (raw) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(raw)) throw new Error(`must be a ClickHouse identifier (letters, digits, _), got "${raw}"`);
  return raw;
};

const url: Parser<string> = (raw) => {
  if (raw === '') return '';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`must be an http(s) URL such as http://localhost:8123, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`must use http or https, got "${u.protocol}"`);
  return raw;
};

const SITE_RE = /^[a-z0-9]([a-z0-9.:-]{0,252}[a-z0-9])?$/;
export const isValidSiteName = (s: string): boolean => SITE_RE.test(s);

const sites: Parser<string[] | '*'> = (raw) => {
  if (raw.trim() === '*') return '*';
  const typed = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (typed.length === 0) throw new Error('must list at least one site (comma-separated) or be "*"');
  // Echo the names as typed: a lowercased copy of a name the user cannot find in their setting confuses.
  const bad = typed.filter((s) => !isValidSiteName(s.toLowerCase()));
  if (bad.length) throw new Error(`not valid site names (host names, such as example.com): ${bad.join(', ')}`);
  return typed.map((s) => s.toLowerCase());
};

const cidrs: Parser<string[]> = (raw) => {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const [addr, bits] = item.split('/');
    const family = isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    if (!family || (bits !== undefined && !(Number.isInteger(Number(bits)) && Number(bits) >= 0 && Number(bits) <= max))) {
      throw new Error(`"${item}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)`);
    }
  }
  return list;
};

const brokers: Parser<string[]> = (raw) => {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((b) => !/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(b));
  if (bad.length) throw new Error(`must be host:port pairs, got ${bad.join(', ')}`);
  return list;
};

const topic: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(raw)) throw new Error(`must be a Kafka topic name (letters, digits, . _ -), got "${raw}"`);
  return raw;
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * "site=a|b,other=c": a list per site (SITE_HOSTS, BEACON_ORIGINS), each item
 * normalised and checked; a site named twice gets both lists.
 */
const siteLists =
  (item: { normalise: (s: string) => string; valid: RegExp; shape: string }): Parser<Record<string, string[]>> =>
  (raw) => {
    const map: Record<string, string[]> = {};
    for (const pair of raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [site, items] = pair.split('=').map((s) => s.trim().toLowerCase());
      const list = (items ?? '')
        .split('|')
        .map((h) => item.normalise(h.trim()))
        .filter(Boolean);
      if (!site || !isValidSiteName(site) || list.length === 0 || !list.every((h) => item.valid.test(h))) {
        throw new Error(`"${pair}" is not ${item.shape}`);
      }
      map[site] = [...(own(map, site) ?? []), ...list];
    }
    return map;
  };

/** "example.com=example.org|shop.example.net,blog.example.com=blog.example.org": the other host names of each site. */
const siteHosts = siteLists({
  normalise: (h) => h.replace(/^www\./, ''),
  valid: HOST_NAME,
  shape: 'site=host|host (e.g. example.com=example.org|shop.example.net)',
});

/** "example.com=https://example.com|https://www.example.com": the pages each site's beacons may come from. */
const siteOrigins = siteLists({
  normalise: (o) => o.replace(/\/$/, ''),
  valid: /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/,
  shape: 'site=origin|origin (e.g. example.com=https://example.com|https://www.example.com)',
});

const tagSites: Parser<Record<string, string>> = (raw) => {
  const map: Record<string, string> = {};
  for (const pair of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [tag, site] = pair.split('=').map((s) => s.trim());
    if (!tag || !site || !/^[A-Za-z0-9_.\-/]{1,48}$/.test(tag) || !isValidSiteName(site.toLowerCase())) {
      throw new Error(`"${pair}" is not tag=site (e.g. nginx=example.com)`);
    }
    map[tag] = site.toLowerCase();
  }
  return map;
};

const hexDigests: Parser<string[]> = (raw) => {
  const list = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = list.filter((d) => !/^[0-9a-f]{64}$/.test(d));
  if (bad.length)
    throw new Error('must be SHA-256 digests in hex (64 characters each) — the digests, never the tokens; `scalehouse token` prints both');
  return list;
};

const webhooks: Parser<string[]> = (raw) => {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const address = item.replace(/^slack:/, '');
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(address).protocol);
    } catch {
      /* not a URL */
    }
    // Never echo the value: a webhook URL is a secret (Slack's carries its key).
    if (!ok) throw new Error('must be http(s) URLs, comma-separated, each optionally prefixed "slack:"');
  }
  return list;
};

const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw) => {
    if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };

interface Setting<T> {
  default: string;
  parse: Parser<T>;
  describe: string;
  secret?: boolean;
}
const setting = <T>(s: Setting<T>): Setting<T> => s;

/** Every setting Scalehouse reads. The README's configuration table mirrors this list. */
export const SETTINGS = {
  HOST: setting({
    default: '127.0.0.1',
    parse: text,
    describe: 'Address the HTTP server listens on (0.0.0.0 to accept beacons from other machines).',
  }),
  PORT: setting({ default: '8080', parse: int(1, 65535), describe: 'HTTP port of the collector (beacon, log batches, health).' }),
  DATA_DIR: setting({
    default: '.scalehouse',
    parse: (r) => resolve(r),
    describe:
      'Where embedded mode keeps its bus, ClickHouse data, salts and ingest token. Made owner-only if missing; refused at start-up if it belongs to another user or group or others may write to it (docs/operations.md).',
  }),
  CLICKHOUSE_URL: setting({
    default: '',
    parse: url,
    describe: 'ClickHouse server (http://host:8123). Empty: the embedded engine (chdb) under DATA_DIR.',
  }),
  CLICKHOUSE_USER: setting({ default: 'default', parse: text, describe: 'ClickHouse user (server mode).' }),
  CLICKHOUSE_PASSWORD: setting({ default: '', parse: text, describe: 'ClickHouse password (server mode).', secret: true }),
  CLICKHOUSE_MIGRATE: setting({
    default: 'true',
    parse: flag,
    describe:
      'Bring the schema up to date at start (needs a user that may create tables). False for roles whose ClickHouse user may not (clickhouse/access/), with `scalehouse migrate` run by an admin.',
  }),
  CLICKHOUSE_DATABASE: setting({ default: 'scalehouse', parse: identifier, describe: 'Database holding the Scalehouse tables.' }),
  CLICKHOUSE_CLUSTER: setting({
    default: '',
    parse: (raw) => (raw.trim() === '' ? '' : identifier(raw.trim())),
    describe:
      'ClickHouse cluster (a <remote_servers> name of one shard and its replicas) the migrations run ON CLUSTER, with replicated tables (docs/scaling.md). Empty: one server. Set it before the first migration: a database keeps the layout it was made with.',
  }),
  SITES: setting({
    default: '*',
    parse: sites,
    describe:
      'Comma-separated sites accepted by the collector; "*" accepts any valid site name (with HOST beyond loopback, only if ALLOW_ANY_SITE=true).',
  }),
  INGEST_TOKEN: setting({
    default: '',
    parse: text,
    describe:
      'Bearer token for POST /api/logs; several, comma-separated, are all accepted (to rotate: add the new one, move the shippers, remove the old). Empty: one is generated and kept in DATA_DIR/ingest-token.',
    secret: true,
  }),
  TRUSTED_PROXIES: setting({
    default: '',
    parse: cidrs,
    describe: 'Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed.',
  }),
  BEACON_ORIGINS: setting({
    default: '',
    parse: siteOrigins,
    describe:
      'Pages a site\'s beacons may come from, e.g. "example.com=https://example.com|https://www.example.com": a browser\'s beacon from another origin gets 403. Sites not listed take any origin.',
  }),
  BEACON_RATE_PER_CLIENT: setting({
    default: '50',
    parse: int(0, 1_000_000),
    describe:
      "Beacons a second one client address (an IPv6 /64) may send, with bursts of ten seconds' worth; more get 429. Loopback clients are not limited. 0: no limit.",
  }),
  BEACON_RATE_PER_SITE: setting({
    default: '0',
    parse: int(0, 10_000_000),
    describe: "Beacons a second one site may receive, with bursts of ten seconds' worth; more get 429. 0: no limit.",
  }),
  HTTP_REQUEST_TIMEOUT_SECONDS: setting({
    default: '30',
    parse: int(1, 3600),
    describe:
      'A request must arrive whole (headers and body) within this many seconds, or its connection is closed (408): slow senders cannot hold connections.',
  }),
  HTTP_HEADERS_TIMEOUT_SECONDS: setting({
    default: '10',
    parse: int(1, 3600),
    describe:
      "A request's headers must arrive within this many seconds of its start (for a new connection: of its opening), or its connection is closed (408): a slow-headers sender, or a connection that sends nothing, cannot hold a socket. At most HTTP_REQUEST_TIMEOUT_SECONDS.",
  }),
  HTTP_IDLE_TIMEOUT_SECONDS: setting({
    default: '60',
    parse: int(1, 3600),
    describe:
      'An HTTP connection on which nothing moves either way for this many seconds is closed (a client that stops reading an answer). Keep it above DASHBOARD_QUERY_MAX_SECONDS: a query that long sends nothing while it runs.',
  }),
  HTTP_MAX_CONNECTIONS: setting({
    default: '1000',
    parse: int(1, 1_000_000),
    describe:
      "Most HTTP connections open at once; more are closed on arrival. Keep it and SYSLOG_MAX_CONNECTIONS well under the process's open-file limit (ulimit -n): the bus, ClickHouse and the logs need file handles too.",
  }),
  HTTP_MAX_CONNECTIONS_PER_CLIENT: setting({
    default: '50',
    parse: int(1, 1_000_000),
    describe:
      'Most HTTP connections one client address (an IPv6 /64) may hold open at once; more are closed on arrival, so one address cannot take them all. TRUSTED_PROXIES are not capped so (every visitor comes through them): cap clients at the proxy (nginx limit_conn).',
  }),
  BEACON_MAX_BYTES: setting({ default: '16384', parse: int(256, 1_048_576), describe: 'Largest beacon body accepted (413 above).' }),
  LOG_BATCH_MAX_BYTES: setting({
    default: '10485760',
    parse: int(1024, 268_435_456),
    describe: 'Largest log batch body accepted (413 above).',
  }),
  LOG_LINE_MAX_BYTES: setting({
    default: '65536',
    parse: int(256, 1_048_576),
    describe:
      'Longest single access-log line accepted: POST /api/logs answers 413 above; `replay`, `explain` and `tail` make a longer line a dead letter (line_too_long; `tail --to` leaves it out, with a warning) and `replay` and `explain` refuse a file with a line 16 times as long.',
  }),
  SYSLOG_PORT: setting({
    default: '5514',
    parse: int(0, 65535),
    describe: 'UDP and TCP port of the syslog receiver (nginx access_log syslog:server=…); 0 turns it off.',
  }),
  SYSLOG_HOST: setting({
    default: '127.0.0.1',
    parse: text,
    describe: 'Address the syslog receiver listens on (separate from HOST: syslog carries no token).',
  }),
  SYSLOG_ALLOW: setting({
    default: '127.0.0.0/8,::1',
    parse: cidrs,
    describe: 'Addresses/CIDRs allowed to send syslog; others are dropped and counted (not_allowed).',
  }),
  SYSLOG_SITES: setting({
    default: '',
    parse: tagSites,
    describe:
      'Which site a syslog tag belongs to, e.g. "nginx=example.com,blog=blog.example.com". Untagged: the line\'s "host", but only while SYSLOG_HOST is loopback (beyond it, senders can be forged).',
  }),
  SYSLOG_TLS_PORT: setting({
    default: '0',
    parse: int(0, 65535),
    describe: 'Port of syslog over TLS (RFC 5425; 6514 is usual), on SYSLOG_HOST; 0: off. Needs SYSLOG_TLS_CERT and SYSLOG_TLS_KEY.',
  }),
  SYSLOG_TLS_CERT: setting({ default: '', parse: text, describe: 'PEM file of the syslog TLS server certificate (chain).' }),
  SYSLOG_TLS_KEY: setting({ default: '', parse: text, describe: 'PEM file of the syslog TLS server key.', secret: true }),
  SYSLOG_TLS_CA: setting({
    default: '',
    parse: text,
    describe: 'PEM file of a CA: when set, syslog TLS senders must present a certificate it signed (mutual TLS).',
  }),
  SYSLOG_MAX_CONNECTIONS: setting({
    default: '200',
    parse: int(1, 1_000_000),
    describe:
      'Most syslog TCP and TLS connections open at once (each listener); more are closed on arrival and counted (too_many_connections).',
  }),
  SYSLOG_MAX_CONNECTIONS_PER_SENDER: setting({
    default: '10',
    parse: int(1, 1_000_000),
    describe:
      'Most syslog TCP and TLS connections one sender address (an IPv6 /64) may hold open at once; more are closed on arrival and counted (too_many_connections).',
  }),
  SYSLOG_IDLE_TIMEOUT_SECONDS: setting({
    default: '300',
    parse: int(1, 86_400),
    describe:
      "A syslog TCP or TLS connection that sends nothing for this many seconds is closed (a TLS handshake gets at most 120); senders connect again when they next send. Plain TCP syslog has no acknowledgement (RFC 6587): a message sent just as the connection closes can be lost, so keep it longer than your senders' quiet times.",
  }),
  SYSLOG_MAX_BYTES: setting({
    default: '65536',
    parse: int(480, 1_048_576),
    describe: 'Largest syslog message accepted; larger ones are dropped and counted.',
  }),
  DISK_RESERVE_MB: setting({
    default: '256',
    parse: int(0, 1_048_576),
    describe:
      "Free space (MiB) kept on the local bus's disk: below it the collector answers 507 instead of filling the disk, and takes hits again by itself once space is freed.",
  }),
  RAW_RETENTION_DAYS: setting({
    default: '0',
    parse: int(0, 36_500),
    describe: 'TTL of raw events (and of the sample of bot hits) in days; 0 keeps them. Rollups are kept either way.',
  }),
  GEOIP_DB: setting({
    default: '',
    parse: text,
    describe:
      'Country database (a .mmdb file, e.g. MaxMind GeoLite2-Country). Empty: the bundled DB-IP IP to Country Lite (CC BY 4.0); "none": no countries.',
  }),
  SITE_HOSTS: setting({
    default: '',
    parse: siteHosts,
    describe:
      'Other host names of a site, whose referrals are internal, e.g. "example.com=example.org|shop.example.net". The site\'s own name, and hosts seen in JSON logs ($host) and beacon URLs, count without it.',
  }),
  SESSION_TIMEOUT_MINUTES: setting({ default: '30', parse: int(1, 1440), describe: 'Inactivity that ends a session.' }),
  SESSION_REORDER_SECONDS: setting({
    default: '300',
    parse: int(0, 86_400),
    describe:
      'How late (in event time, behind the newest hit) a hit may arrive and still join its session in the right place; a later one starts a session of its own.',
  }),
  PROCESSOR_PROGRAM: setting({
    default: 'auto',
    parse: oneOf('auto', 'engine', 'javascript'),
    describe:
      'Where the processor does the per-line work: "engine" parses and enriches each batch in ClickHouse and writes its hits from there; "javascript" runs every line through the JavaScript steps (the reference the engine program is tested against); "auto" takes the engine for batches of 10,000 hits or more (scalehouse replay reads 50,000 lines at a time), where its fixed cost per batch pays off, and JavaScript for smaller ones.',
  }),
  BATCH_MAX_HITS: setting({
    default: '50000',
    parse: int(1, 1_000_000),
    describe:
      'Most hits in one batch of the processor. A batch takes what waits on the bus up to this: small when the processor keeps up, large when it has a backlog to drain (fewer, larger ClickHouse parts, and the engine program from 10,000 hits: PROCESSOR_PROGRAM).',
  }),
  DASHBOARD_PASSWORD: setting({
    default: '',
    parse: password,
    describe:
      'Password of the built-in dashboard, at least 12 characters. Empty: one is generated on first start, shown once in the log, and kept hashed in DATA_DIR (delete DATA_DIR/dashboard-password and restart to have a new one made).',
    secret: true,
  }),
  ALLOW_ANY_SITE: setting({
    default: 'false',
    parse: flag,
    describe:
      'Let a collector served beyond loopback (HOST) take hits for any site name with SITES=*; without it, such a collector refuses to start.',
  }),
  DASHBOARD_ADMIN_NETWORKS: setting({
    default: '127.0.0.1,::1',
    parse: cidrs,
    describe:
      "Addresses/CIDRs (the client after TRUSTED_PROXIES) whose logins the limit on everyone's wrong passwords does not hold back, and whose password checks go first: the owner's way in while others guess (an ssh tunnel to the machine arrives from 127.0.0.1). Each address keeps its own limit. Empty: none.",
  }),
  DASHBOARD_SECURE_COOKIES: setting({
    default: 'false',
    parse: flag,
    describe: 'Mark login cookies Secure (sent over https only): set it when the dashboard is reached over https, e.g. behind a TLS proxy.',
  }),
  DASHBOARD_QUERY_MAX_SECONDS: setting({
    default: '30',
    parse: int(1, 3600),
    describe: 'Longest a dashboard or API query may run before it is stopped (422).',
  }),
  DASHBOARD_QUERY_MAX_MEMORY_MB: setting({
    default: '2048',
    parse: int(16, 1_048_576),
    describe: 'Most memory (MiB) one dashboard or API query may use before it is stopped (422).',
  }),
  DASHBOARD_TOKENS: setting({
    default: '',
    parse: hexDigests,
    describe:
      'SHA-256 digests (hex, comma-separated) of API tokens allowed to call /api/stats as "Authorization: Bearer <token>"; `scalehouse token` makes one.',
  }),
  DASHBOARD_REALTIME_STREAMS_PER_LOGIN: setting({
    default: '10',
    parse: int(1, 10_000),
    describe: 'Realtime streams (GET /api/realtime) one login or API token may have open at once; more get 429 too_many_streams.',
  }),
  DASHBOARD_REALTIME_STREAMS_PER_SITE: setting({
    default: '100',
    parse: int(1, 100_000),
    describe: 'Realtime streams one site may have open at once, from all logins and tokens together; more get 429 too_many_streams.',
  }),
  DASHBOARD_CLICKHOUSE_USER: setting({
    default: '',
    parse: text,
    describe:
      'ClickHouse user the dashboard reads and writes its goals, funnels and shared links with (server mode; compose: scalehouse_dashboard, clickhouse/access/). Empty: CLICKHOUSE_USER.',
  }),
  DASHBOARD_CLICKHOUSE_PASSWORD: setting({ default: '', parse: text, describe: 'Password of DASHBOARD_CLICKHOUSE_USER.', secret: true }),
  SESSION_SECRET: setting({
    default: '',
    parse: sessionSecret,
    describe:
      'Key that signs dashboard login cookies, at least 32 characters; set the same on every dashboard process. Empty: one kept in DATA_DIR.',
    secret: true,
  }),
  METRICS_PORT: setting({
    default: '0',
    parse: int(0, 65535),
    describe:
      'Port serving /metrics (Prometheus) alone, on METRICS_HOST, without a token. 0: /metrics on PORT, for holders of an ingest or API token (Authorization: Bearer).',
  }),
  METRICS_HOST: setting({
    default: '127.0.0.1',
    parse: text,
    describe: 'Address METRICS_PORT listens on (no token there: keep it private).',
  }),
  ALERTS: setting({
    default: 'true',
    parse: flag,
    describe: 'Run the alert evaluator in `scalehouse start` (distributed mode: run `scalehouse alerts`, once).',
  }),
  ALERT_WEBHOOKS: setting({
    default: '',
    parse: webhooks,
    describe:
      'Comma-separated URLs that receive alert notices as JSON; prefix one with "slack:" (or use a hooks.slack.com URL) for Slack\'s {"text"} format. Empty: alerts are only listed in the dashboard.',
    secret: true,
  }),
  ALERT_RULES: setting({
    default: '',
    parse: text,
    describe: 'JSON file of alert thresholds, for every site ("default") or per site ("sites"); see docs/alerts.md. Empty: the defaults.',
  }),
  ALERT_INTERVAL_SECONDS: setting({ default: '60', parse: int(10, 3600), describe: 'How often alerts are evaluated.' }),
  PUBLIC_URL: setting({
    default: '',
    parse: url,
    describe:
      "The dashboard's address as its users reach it (https://stats.example.com), for links in alert notices. Empty: http://HOST:PORT.",
  }),
  KAFKA_BROKERS: setting({
    default: '',
    parse: brokers,
    describe: 'Comma-separated Kafka brokers (host:port). Empty: the local on-disk bus (embedded mode).',
  }),
  KAFKA_TOPIC: setting({ default: 'scalehouse.hits', parse: topic, describe: 'Topic the collector writes hits to.' }),
  KAFKA_DLQ_TOPIC: setting({
    default: 'scalehouse.dead-letters',
    parse: topic,
    describe: 'Topic for hits the processor cannot use, with the reason in headers.',
  }),
  KAFKA_GROUP: setting({ default: 'scalehouse-processor', parse: text, describe: 'Consumer group shared by all processors.' }),
  KAFKA_CLIENT_ID: setting({ default: 'scalehouse', parse: text, describe: 'Kafka client id (shows in broker logs and metrics).' }),
  KAFKA_PARTITIONS: setting({
    default: '6',
    parse: int(1, 10_000),
    describe: 'Partitions of the hits topic when Scalehouse creates it: the most processors that can share the work.',
  }),
  KAFKA_REPLICATION_FACTOR: setting({
    default: '1',
    parse: int(1, 10),
    describe: 'Replicas of each partition when Scalehouse creates topics (3 in production).',
  }),
  KAFKA_RETENTION_HOURS: setting({
    default: '24',
    parse: int(1, 8760),
    describe: 'How long Kafka keeps raw hits (they hold IP addresses: keep it short).',
  }),
  KAFKA_PUBLISH_TIMEOUT_MS: setting({
    default: '5000',
    parse: int(100, 120_000),
    describe:
      'How long Kafka may acknowledge nothing before a waiting request is answered 503 (a big request that Kafka acknowledges part by part is never cut off).',
  }),
  KAFKA_LINGER_MS: setting({ default: '5', parse: int(0, 1000), describe: 'How long the collector gathers hits into one Kafka request.' }),
  KAFKA_STALL_SECONDS: setting({
    default: '30',
    parse: int(1, 86_400),
    describe:
      "How long a partition's committed offset may stand still while hits wait before it counts as stalled (/readyz, /metrics, the consumer_stalled alert).",
  }),
  KAFKA_STALL_RESTART_SECONDS: setting({
    default: '120',
    parse: int(0, 86_400),
    describe:
      'How long a partition a processor consumes may stand still while hits wait (counted from when it stopped moving or the consumer joined; at least KAFKA_STALL_SECONDS) before the processor replaces its Kafka consumer (leaves and rejoins the group); 0: never.',
  }),
  KAFKA_SESSION_TIMEOUT_MS: setting({
    default: '30000',
    parse: int(6000, 300_000),
    describe:
      "How long the group waits for a processor that stopped answering (killed, cut off) before its partitions go to the others; heartbeats go every tenth of it. Lower means a dead processor holds its partitions a shorter time, but a batch must still load within it. 6000 is the broker's least by default (group.min.session.timeout.ms).",
  }),
  CLICKHOUSE_CA_CERT: setting({
    default: '',
    parse: text,
    describe: 'PEM file of the CA that signed the ClickHouse server certificate (https URLs).',
  }),
  LOG_LEVEL: setting({
    default: 'info',
    parse: oneOf('debug', 'info', 'warn', 'error', 'silent'),
    describe: "Least severe log lines written (debug adds every batch loaded and errors' stack traces).",
  }),
  LOG_FORMAT: setting({
    default: 'auto',
    parse: oneOf('auto', 'json', 'pretty'),
    describe:
      'Log lines on stderr: json (one object a line, for log shippers), pretty (readable), or auto: pretty on a terminal, json otherwise.',
  }),
} as const;

type Settings = typeof SETTINGS;
export type Config = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };

/** Turns `--data-dir=x`, `--data-dir x` and `--port 9000` into setting overrides. */
export function flagsToOverrides(flags: string[]): { overrides: Record<string, string>; problems: string[] } {
  const overrides: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(flag);
    const key = m?.[1]?.toUpperCase().replace(/-/g, '_');
    if (!m || !key || !Object.hasOwn(SETTINGS, key)) {
      problems.push(`unknown option ${flag}`);
      if (m && m[2] === undefined && flags[i + 1] !== undefined && !flags[i + 1]!.startsWith('--')) i++; // and its value
      continue;
    }
    const value = m[2] ?? flags[++i];
    if (value === undefined) {
      problems.push(`option ${flag} needs a value`);
      continue;
    }
    overrides[key] = value;
  }
  return { overrides, problems };
}

export function loadConfig(env: Record<string, string | undefined> = process.env, flags: string[] = []): Config {
  const { overrides, problems } = flagsToOverrides(flags);
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const raw = overrides[key] ?? env[key] ?? s.default;
    try {
      out[key] = s.parse(raw);
    } catch (err) {
      problems.push(`${key}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as Config;
}

/** The configuration of a command: the environment, overridden by its flags. */
export function configFromCommandLine(flags: string[]): Config {
  return loadConfig(process.env, flags);
}

/** Matches addresses against a list of addresses and CIDRs (TRUSTED_PROXIES, SYSLOG_ALLOW), built once; net.BlockList handles v4, v6 and v4-mapped v6. */
export function addressMatcher(list: string[]): (address: string) => boolean {
  const blocks = new BlockList();
  for (const item of list) {
    const [addr, bits] = item.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) blocks.addAddress(addr, type);
    else blocks.addSubnet(addr, Number(bits), type);
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && blocks.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
