-- The hits of the visitors a batch found to be bots by behaviour, already
-- loaded as human events, copied into bot_hits with the verdict (its view adds
-- them to traffic_minute.bot_hits). Run after the batch's events are in.
INSERT INTO bot_hits (site, ts, source, path, status, bytes, bot_name, reason, user_agent)
SELECT e.site, e.ts, e.source, e.path, e.status, e.bytes, b.bot_name, b.reason, b.user_agent
FROM events AS e
INNER JOIN
(
    SELECT site, visitor_id, any(bot_name) AS bot_name, any(reason) AS reason, any(user_agent) AS user_agent
    FROM bot_visitors
    WHERE batch = {batch:String}
    GROUP BY site, visitor_id
) AS b ON e.site = b.site AND e.visitor_id = b.visitor_id
WHERE e.ts >= {from:DateTime64(3, 'UTC')} AND e.ts < {to:DateTime64(3, 'UTC')}
  -- Moved once: a visitor judged again later (a hit of its day more than two days late) is not moved twice.
  AND (e.site, e.visitor_id) NOT IN (SELECT site, visitor_id FROM bot_visitors WHERE batch != {batch:String})
