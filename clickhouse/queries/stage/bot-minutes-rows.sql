-- The same rows as load-bot-minutes.sql, read back when the engine refused that insert as data, in the order
-- their keys first appear in the batch (processor/load/bot-rows.ts), each with the positions of its lines.
-- @bot-minutes
ORDER BY first
SETTINGS output_format_json_quote_64bit_integers = 0
