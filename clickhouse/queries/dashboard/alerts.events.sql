-- Alerts (alert_events): each alert's latest state, those still firing first,
-- then those that fired or recovered in the range; for the site asked, and
-- the pipeline's own (site ''). Columns are named with their table where an alias of
-- the same name would otherwise be read instead.
SELECT
    alert_key                                                  AS key,
    argMax(rule, ts)                                           AS rule,
    argMax(site, ts)                                           AS site,
    argMax(subject, ts)                                        AS subject,
    toString(argMax(state, ts))                                AS state,
    argMax(summary, ts)                                        AS summary,
    argMax(value, ts)                                          AS value,
    argMax(expected, ts)                                       AS expected,
    argMax(url, ts)                                            AS url,
    toUnixTimestamp64Milli(maxIf(ts, alert_events.state = 'firing'))        AS fired_at,
    toUnixTimestamp64Milli(maxIf(ts, alert_events.state = 'resolved'))      AS resolved_at
FROM alert_events
WHERE ts >= {from:DateTime64(3, 'UTC')} - toIntervalDay(30) AND ts < {to:DateTime64(3, 'UTC')}
  AND (alert_events.site = {site:String} OR alert_events.site = '')
GROUP BY alert_key
HAVING state = 'firing' OR max(ts) >= {from:DateTime64(3, 'UTC')}
ORDER BY state = 'firing' DESC, max(ts) DESC
LIMIT 50
