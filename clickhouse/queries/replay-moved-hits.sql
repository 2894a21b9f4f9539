-- Hits a replay loaded as human whose visitor one of its batches later found
-- to be a bot by behaviour (they now count as bots: load/move-bot-visitors.ts).
-- A replayed file's visitor ids are its own (its salts come from its seed).
SELECT count() AS moved
FROM events
WHERE (site, visitor_id) IN (SELECT site, visitor_id FROM bot_visitors WHERE startsWith(batch, {prefix:String}))
