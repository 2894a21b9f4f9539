-- Each process's latest gauges (bus lag…), summed over processes; a process
-- that stopped reporting {stale_seconds} ago no longer counts. How long a
-- batch has failed is a duration, not an amount: the longest of them.
SELECT metric, if(metric = 'batch_failing_seconds', max(latest), sum(latest)) AS value
FROM
(
    SELECT metric, instance, argMax(value, minute) AS latest
    FROM pipeline_health
    WHERE kind = 'gauge' AND minute >= {end:DateTime('UTC')} - toIntervalSecond({stale_seconds:UInt32}) AND minute < {end:DateTime('UTC')}
    GROUP BY metric, instance
)
GROUP BY metric
ORDER BY metric
