-- What enrichment knows per distinct value, so that the engine, not
-- JavaScript, enriches each line (issue 27; clickhouse/queries/stage/enrich.sql).
-- JavaScript fills these with today's functions — ua-parser-js and the
-- user-agent verdict (processor/stage/user-agents.ts), the channel rules of a
-- referrer's host (processor/stage/referrers.ts) — only for values a batch
-- brings that are not here yet. Neither holds an address: the parse step
-- masks the visitor's own in a user agent ([ip]), and a host is a site's.
--
-- A value not seen for 30 days goes (TTL on `seen`, whole parts only) and is
-- classified afresh when it comes back, so an updated ua-parser-js or bot
-- list reaches it. Two processors adding the same value at once leave two
-- equal rows until a merge: the readers take any one.
CREATE TABLE IF NOT EXISTS user_agents
(
    user_agent       String,
    is_bot           UInt8,
    bot_reason       LowCardinality(String),
    bot_name         LowCardinality(String),
    browser          LowCardinality(String),
    browser_version  LowCardinality(String),
    os               LowCardinality(String),
    os_version       LowCardinality(String),
    device_type      LowCardinality(String),
    seen             DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(seen)
ORDER BY user_agent
TTL seen + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000, ttl_only_drop_parts = 1;

-- The channel a referrer's host gives when no UTM tag decides it and it is not
-- one of the site's own hosts (those are the site's, read from site_hosts at
-- query time): email, search, social or referral.
CREATE TABLE IF NOT EXISTS referrer_hosts
(
    host     String,
    channel  LowCardinality(String),
    seen     DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(seen)
ORDER BY host
TTL seen + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000, ttl_only_drop_parts = 1;
