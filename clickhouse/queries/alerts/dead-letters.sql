-- Dead letters by reason in the window.
SELECT
    reason,
    toFloat64(sum(count)) AS dead_letters
FROM pipeline_stats
WHERE minute >= {from:DateTime('UTC')} AND minute < {end:DateTime('UTC')} AND outcome = 'dead_letter'
GROUP BY reason
ORDER BY reason
