-- Why hits were taken for bots' (processor/steps/detect-bot.ts), and how often.
SELECT reason, count() AS hits, uniqExact(bot_name) AS bots
FROM bot_hits
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
GROUP BY reason
ORDER BY hits DESC, reason
LIMIT {limit:UInt32}
