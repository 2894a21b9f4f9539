-- Which bots came, and how often (from the rollup of bot hits, as bot-reasons).
SELECT if(bot_name = '', reason, bot_name) AS bot, sum(hits) AS hits, sumIf(bots_minute.hits, status >= 400) AS errors
FROM bots_minute
-- @bot-range
GROUP BY bot
ORDER BY hits DESC, bot
LIMIT {limit:UInt32}
