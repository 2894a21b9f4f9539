-- Server response time percentiles of the hits whose source carried one (nginx's
-- JSON format; not the combined format, not beacons). No timed hits, no points: "no data".
SELECT toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({bucket:UInt32}))) AS t,
       quantilesExact(0.5, 0.9, 0.99)(request_time_ms) AS q, count() AS hits
FROM events
WHERE site = {site:String} AND timed = 1 AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY t
ORDER BY t
