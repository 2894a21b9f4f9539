-- The batch's bot hit samples into bot_hit_samples, by one INSERT … SELECT under the batch's token.
INSERT INTO bot_hit_samples (site, ts, source, bot_name, reason, path, status, bytes, user_agent)
SELECT site, ts, source, bot_name, reason, path, status, bytes, user_agent
FROM (
-- @bot-samples
)
