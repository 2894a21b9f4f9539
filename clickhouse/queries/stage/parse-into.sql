-- The records the engine parses (_parse-any.sql) into the batch's table of parsed events
-- ({parsed}, parsed-create.sql), with what the hit's headers say that is no event field: the collector's
-- country and the visitor's opt-out. A record parsed here is a log Hit exactly as encodeHit writes it
-- (_envelope.sql), so its headers are flat strings and booleans without escapes, read by their pattern.
-- processor/stage/stage-batch.ts.
INSERT INTO {parsed:Identifier}
SELECT
    r.position AS position,
    r.offset AS offset,
    p.site AS site,
    toInt64(p.ts) AS ts,
    'log' AS source,
    'request' AS event_type,
    '' AS event_name,
    0 AS is_pageview,
    p.client AS client,
    p.user_agent AS user_agent,
    p.host AS host,
    p.method AS method,
    p.path AS path,
    p.query AS query,
    p.status AS status,
    p.bytes AS bytes,
    p.request_time_ms AS request_time_ms,
    p.upstream_time_ms AS upstream_time_ms,
    p.timed AS timed,
    p.referrer AS referrer,
    p.language AS language,
    0 AS screen_width,
    0 AS engaged_ms,
    map() AS props,
    extract(r.value, '"headers":\\{(?:"[A-Za-z]+":(?:"[^"\\\\]*"|true|false),)*"country":"([^"\\\\]*)"') AS header_country,
    match(r.value, '"headers":\\{(?:"[A-Za-z]+":(?:"[^"\\\\]*"|true|false),)*"optOut":true') AS opt_out
FROM (
-- @parse-any
) AS p
INNER JOIN {stage:Identifier} AS r ON r.seq = p.seq
-- Every expression is evaluated on every row (each conversion is an -OrZero one, every date clamped, so none can
-- fail on a line that is not plain): short-circuit evaluation (the default, `enable`) runs the lazy branches of
-- if, multiIf, and, or on the filtered rows of each, copying the columns they read for every one, which made this
-- query ten times slower on 5,000 lines.
SETTINGS short_circuit_function_evaluation = 'disable'
