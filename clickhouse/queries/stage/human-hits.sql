-- What sessions read of the batch's people's hits (processor/stage/human-hits.ts reads the columns in this
-- order), in bus order: everything the session summary, twins, own hosts and the behaviour rules look at, and
-- nothing else (the query, the full referrer, props and timings stay in the engine until events are written).
SELECT
    position, offset, site, ts, source, event_type, is_pageview, visitor_id, user_agent, host, method, path, status,
    referrer_host, referrer_path, channel, utm_source, utm_medium, utm_campaign, browser, os, device_type, country,
    engaged_ms, bot_name
FROM {enriched:Identifier}
WHERE outcome = 'event'
ORDER BY offset
SETTINGS output_format_json_quote_64bit_integers = 0
