-- Hits a replay loaded as human whose visitor one of its batches later found
-- to be a bot by behaviour (they now count as bots: load/move-bot-visitors.ts).
-- Its visitors are those its batches judged (days beyond the kept salts hash
-- with its seed; a recent day's visitor may have live hits too, counted here).
SELECT count() AS moved
FROM events
WHERE (site, visitor_id) IN (SELECT site, visitor_id FROM bot_visitors WHERE startsWith(batch, {prefix:String}))
