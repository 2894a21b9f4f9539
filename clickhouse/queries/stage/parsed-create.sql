-- A batch's parsed events (processor/stage/stage-batch.ts): the fast path's rows (parse-into.sql) and those
-- parseHit made of the rest, as the parse step leaves them (processor/event.ts in snake_case, with the hit's bus
-- position and offset), and what the hit's headers say that is not an event field: the collector's country and
-- the visitor's opt-out. A temporary table of the batch's session: the visitor's address is here and nowhere else.
CREATE TEMPORARY TABLE {table:Identifier}
(
    position          String,
    offset            UInt64,
    site              String,
    ts                Int64,
    source            String,
    event_type        String,
    event_name        String,
    is_pageview       UInt8,
    client            String,
    user_agent        String,
    host              String,
    method            String,
    path              String,
    query             String,
    status            Int64,
    bytes             Int64,
    request_time_ms   Int64,
    upstream_time_ms  Int64,
    timed             UInt8,
    referrer          String,
    language          String,
    screen_width      Int64,
    engaged_ms        Int64,
    props             Map(String, String),
    header_country    String,
    opt_out           UInt8
)
ENGINE = Memory
