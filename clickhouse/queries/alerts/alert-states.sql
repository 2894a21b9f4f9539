-- Every alert's latest row: its state, and whether its notification got out.
SELECT
    alert_key,
    argMax(rule, ts)      AS rule,
    argMax(site, ts)      AS site,
    argMax(subject, ts)   AS subject,
    argMax(state, ts)     AS state,
    argMax(value, ts)     AS value,
    argMax(expected, ts)  AS expected,
    argMax(summary, ts)   AS summary,
    argMax(url, ts)       AS url,
    argMax(delivered, ts) AS delivered
FROM alert_events
WHERE ts >= {since:DateTime64(3)}
GROUP BY alert_key
HAVING state = 'firing' OR delivered = 0
ORDER BY alert_key
