-- The dashboard's own settings per site, written by the dashboard process
-- (dashboard/goals/, dashboard/share/) — in server mode as its own ClickHouse
-- user, scalehouse_dashboard, that may write these two tables and nothing else
-- (clickhouse/access/scalehouse-users.xml).
--
-- An edit or a deletion is a new row with the same sorting key and a higher
-- version (deleted: is_deleted = 1), which ReplacingMergeTree(version,
-- is_deleted) keeps alone on FINAL and on merges: nothing is ever mutated.

-- Goals and funnels: `definition` is the JSON the dashboard validated
-- (dashboard/goals/definition.ts): a goal's {kind, match}, a funnel's steps.
CREATE TABLE IF NOT EXISTS dashboard_definitions
(
    site        LowCardinality(String),
    kind        Enum8('goal' = 1, 'funnel' = 2),
    id          UUID,
    name        String,
    definition  String,
    created_at  DateTime64(3, 'UTC'),
    version     UInt64,
    is_deleted  UInt8
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (site, kind, id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Read-only shared links of one site's dashboard. Only the SHA-256 digest of a
-- link's token is kept (common/token-digest.ts), and of its optional password
-- a scrypt hash; a link is looked up by the digest of the token it is opened
-- with. Revoking writes its row again with is_deleted = 1.
CREATE TABLE IF NOT EXISTS share_links
(
    token_digest   String,
    site           LowCardinality(String),
    id             UUID,
    label          String,
    password_hash  String,
    embed_origins  Array(String),
    created_at     DateTime64(3, 'UTC'),
    version        UInt64,
    is_deleted     UInt8
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY token_digest
SETTINGS non_replicated_deduplication_window = 1000;
