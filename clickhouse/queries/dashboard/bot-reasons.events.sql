-- Why hits were taken for bots' (processor/steps/detect-bot.ts), and how often: from the rollup of bot hits,
-- every minute that overlaps the range (migrations/0016_bot_rollup.sql).
SELECT reason, sum(hits) AS hits, uniqExact(bot_name) AS bots
FROM bots_minute
-- @bot-range
GROUP BY reason
ORDER BY hits DESC, reason
LIMIT {limit:UInt32}
