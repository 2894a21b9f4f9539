-- What the processes counted in the window (pipeline_health counters are the
-- increase since each one's previous report): acknowledged, refused by
-- reason, records processed, failed batches.
SELECT metric, reason, sum(value) AS value
FROM pipeline_health
WHERE kind = 'counter' AND minute >= {from:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
GROUP BY metric, reason
ORDER BY metric, reason
