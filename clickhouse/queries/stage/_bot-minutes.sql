-- The batch's bot hits counted per key of bots_minute (processor/load/bot-rows.ts), with the positions of the
-- lines each row counts (a row the engine refuses dead-letters each of them).
SELECT
    site,
    toStartOfMinute(fromUnixTimestamp64Milli(ts, 'UTC')) AS minute,
    source,
    bot_name,
    reason,
    path,
    status,
    count() AS hits,
    sum(bytes) AS bytes,
    groupArray(position) AS positions,
    min(offset) AS first
FROM (
-- @bot-hits
)
GROUP BY site, minute, source, bot_name, reason, path, status
