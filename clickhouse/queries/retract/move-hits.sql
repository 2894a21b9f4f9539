-- The hits of the visitors a batch found to be bots by behaviour, already
-- loaded as human events, read once into moved_hits: its views count them into
-- bots_minute and bot_hit_samples with the verdict (migrations/0016_bot_rollup.sql)
-- and take them out of traffic_minute and pages_hour (migrations/0012_bot_visitors.sql). Run after the batch's events are in,
-- under the batch's deduplication token.
INSERT INTO moved_hits
SELECT e.site, e.ts, e.source, e.event_type, e.path, e.status, e.bytes, e.is_pageview, e.twin, e.timed,
       e.request_time_ms, e.engaged_ms, b.bot_name, b.reason, b.user_agent
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
