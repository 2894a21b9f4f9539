-- The batch's bot hits: those dropped by user agent in enrichment (the verdict's reason is the detail), and
-- those of visitors sessions found to be bots by behaviour (their reason, the name they were given, the path
-- as sessions left it) — as processor/load/bot-rows.ts counts them.
SELECT e.position AS position, e.offset AS offset, e.site AS site, e.ts AS ts, e.source AS source, e.bot_name AS bot_name,
    e.detail AS reason, e.path AS path, e.status AS status, e.bytes AS bytes, e.user_agent AS user_agent
FROM {enriched:Identifier} AS e
WHERE e.outcome = 'dropped' AND e.reason = 'bot'
UNION ALL
SELECT e.position, e.offset, e.site, e.ts, e.source, a.bot_name, a.bot_reason, a.path, e.status, e.bytes, e.user_agent
FROM {enriched:Identifier} AS e
INNER JOIN {assigned:Identifier} AS a ON a.position = e.position
WHERE e.outcome = 'event' AND a.bot_reason != ''
