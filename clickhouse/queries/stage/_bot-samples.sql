-- One sample per site, day, bot name, reason and user agent (cut as common/clean-text.ts cutText cuts it, to
-- 1,000 UTF-16 units: the engine's `.` is a code point, two units when it takes four bytes): the batch's latest
-- hit of it, the later in the batch of two at the same time (processor/load/bot-rows.ts; the table keeps the
-- latest of each user-agent slot).
SELECT
    site,
    fromUnixTimestamp64Milli(max(hit_ts), 'UTC') AS ts,
    argMax(source, (hit_ts, offset)) AS source,
    bot_name,
    reason,
    argMax(path, (hit_ts, offset)) AS path,
    argMax(status, (hit_ts, offset)) AS status,
    argMax(bytes, (hit_ts, offset)) AS bytes,
    ua_cut AS user_agent,
    min(offset) AS first
FROM (
    SELECT
        b.site AS site, b.ts AS hit_ts, b.offset AS offset, b.source AS source, b.bot_name AS bot_name, b.reason AS reason,
        b.path AS path, b.status AS status, b.bytes AS bytes,
        toDate(fromUnixTimestamp64Milli(b.ts, 'UTC')) AS day,
        if(length(b.user_agent) <= 1000, b.user_agent, arrayStringConcat(arrayFilter((c, units) -> units <= 1000,
            extractAll(b.user_agent, '(?s).') AS chars, arrayCumSum(arrayMap(c -> if(length(c) = 4, 2, 1), chars))))) AS ua_cut
    FROM (
-- @bot-hits
    ) AS b
)
GROUP BY site, day, bot_name, reason, ua_cut
