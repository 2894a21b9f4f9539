-- user_agents and referrer_hosts (0017) held in memory as dictionaries, for
-- enrichment in the engine (clickhouse/queries/stage/_enrich.sql,
-- enrich-needs.sql): a dictGet is one function of the query where a join
-- to the table was a subquery, its filter and a hash table built for every
-- batch, and in the embedded engine a batch's fixed cost is the query
-- analyzer's, per function of the query (issue 27; ~50 µs each).
--
-- LIFETIME(0): never reloaded on a timer. The processor reloads one after it
-- adds values to its table (processor/stage/enrich-batch.ts,
-- queries/stage/enrich-reload-*.sql), so a value is known to the very next
-- query; a value another processor added, or one the table's TTL dropped, is
-- in step at the next reload (until then the first is added once more — a
-- second row, which the table's merges fold — and the second still known).
-- Without HOST the source is this server's own table, read locally (on a
-- cluster, each server reads its replica).
CREATE DICTIONARY IF NOT EXISTS user_agent_values
(
    user_agent       String,
    is_bot           UInt8,
    bot_reason       String,
    bot_name         String,
    browser          String,
    browser_version  String,
    os               String,
    os_version       String,
    device_type      String
)
PRIMARY KEY user_agent
SOURCE(CLICKHOUSE(TABLE 'user_agents'))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(0);

CREATE DICTIONARY IF NOT EXISTS referrer_host_values
(
    host     String,
    channel  String
)
PRIMARY KEY host
SOURCE(CLICKHOUSE(TABLE 'referrer_hosts'))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(0);
