-- Each process's latest gauges (bus lag…), summed over processes; a process
-- that stopped reporting {stale_seconds} ago no longer counts. How long a
-- batch has failed is a duration, not an amount: the longest of them. A
-- gauge of a Kafka partition (reason 'partition N': its lag, whether it is
-- stalled) is the consumer group's, reported alike by every processor: the
-- largest report of each partition counts once, then the partitions add up.
SELECT metric, if(metric = 'batch_failing_seconds', max(value), sum(value)) AS value
FROM
(
    SELECT metric, reason, if(metric = 'batch_failing_seconds' OR startsWith(reason, 'partition '), max(latest), sum(latest)) AS value
    FROM
    (
        SELECT metric, reason, instance, argMax(value, minute) AS latest
        FROM pipeline_health
        WHERE kind = 'gauge' AND minute >= {end:DateTime('UTC')} - toIntervalSecond({stale_seconds:UInt32}) AND minute < {end:DateTime('UTC')}
        GROUP BY metric, reason, instance
    )
    GROUP BY metric, reason
)
GROUP BY metric
ORDER BY metric
