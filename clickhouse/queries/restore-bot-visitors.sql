-- Visitors found to be bots by behaviour whose day's hits may still come (a
-- visitor id is one UTC day's; days are the stream's, as in restore-sessions.sql): a processor that starts or takes over a
-- stream keeps dropping their hits. Verdicts the batch about to be processed
-- decided itself (this stream, at or past its first offset) are left out: it
-- decides them again. Any stream's verdicts are read: a visitor is keyed to one
-- stream, and one read is cheaper than one per stream.
SELECT site, toString(visitor_id) AS visitor_id, reason, detail, bot_name, user_agent,
       toUnixTimestamp64Milli(flagged_ts) AS ts, bus_offset
FROM bot_visitors
WHERE day >= (SELECT toDate(max(end_ts)) FROM sessions WHERE stream = {stream:String}) - 2
  AND NOT (stream = {stream:String} AND bus_offset >= {from_offset:UInt64})
