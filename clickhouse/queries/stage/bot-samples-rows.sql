-- The same rows as load-bot-samples.sql, read back when the engine refused that insert as data, in the order
-- their keys first appear in the batch.
-- @bot-samples
ORDER BY first
