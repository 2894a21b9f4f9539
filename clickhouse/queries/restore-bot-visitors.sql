-- Visitors found to be bots by behaviour whose day's hits may still come: a
-- processor that starts or takes over a stream keeps dropping their hits.
-- Verdicts are kept while their day's salt is ({oldest_day}: two days before
-- the stream's newest day, processor/batch/sessionize.ts). Verdicts of the
-- batch about to be processed are read too: if it was loaded before a crash,
-- its verdicts stand, and the loader finishes moving them
-- (load/move-bot-visitors.ts). Any stream's verdicts are read: a visitor is
-- keyed to one stream, and one read is cheaper than one per stream.
SELECT site, toString(visitor_id) AS visitor_id, reason, detail, bot_name, user_agent,
       toUnixTimestamp64Milli(flagged_ts) AS ts, bus_offset
FROM bot_visitors
WHERE day >= {oldest_day:Date}
