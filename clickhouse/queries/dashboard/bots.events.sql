-- Which bots came, and how often.
SELECT if(bot_name = '', reason, bot_name) AS bot, count() AS hits, countIf(status >= 400) AS errors
FROM bot_hits
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
GROUP BY bot
ORDER BY hits DESC, bot
LIMIT {limit:UInt32}
