-- The batch's bot hits counted into bots_minute, by one INSERT … SELECT under the batch's token.
INSERT INTO bots_minute (site, minute, source, bot_name, reason, path, status, hits, bytes)
SELECT site, minute, source, bot_name, reason, path, status, hits, bytes
FROM (
-- @bot-minutes
)
