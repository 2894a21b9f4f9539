-- The batch's events into `events`, by one INSERT … SELECT under the batch's token (processor/load/load-staged.ts).
INSERT INTO events (site, ts, source, event_type, event_name, is_pageview, visitor_id, session_id, host, method, path, query, status, bytes, request_time_ms, upstream_time_ms, timed, twin, referrer, referrer_host, channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term, browser, browser_version, os, os_version, device_type, country, language, screen_width, engaged_ms, props)
SELECT site, ts, source, event_type, event_name, is_pageview, visitor_id, session_id, host, method, path, query, status, bytes, request_time_ms, upstream_time_ms, timed, twin, referrer, referrer_host, channel, utm_source, utm_medium, utm_campaign, utm_content, utm_term, browser, browser_version, os, os_version, device_type, country, language, screen_width, engaged_ms, props
FROM (
-- @events-select
)
