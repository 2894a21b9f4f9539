-- Headline figures without filters, over whole hours, for the range and the
-- period before it in one read: {from} is where the earlier period starts
-- (the range's own start without a comparison), {split} where the range
-- starts. Hit counts from traffic_minute, visit figures (visits, their
-- distinct visitors, bounce, duration) from sessions — exact, and far cheaper
-- than merging sets of ids. One row per period, zeros for a period without data.
SELECT p.period AS period, t.hits, t.pageviews, t.errors_4xx, t.errors_5xx, t.bot_hits,
       t.beacon_pageviews, toUInt64(greatest(0, toInt64(t.pageviews) - toInt64(t.beacon_pageviews))) AS log_only_pageviews,
       v.visitors, v.visits, v.bounce_rate, v.avg_duration_s
FROM (SELECT arrayJoin(['current', 'previous']) AS period) AS p
LEFT JOIN
(
    SELECT if(minute >= {split:DateTime64(3, 'UTC')}, 'current', 'previous') AS period,
           sum(hits) AS hits, sum(pageviews) AS pageviews, sum(status_4xx) AS errors_4xx,
           sum(status_5xx) AS errors_5xx, sum(bot_hits) AS bot_hits, sum(beacon_pageviews) AS beacon_pageviews
    FROM traffic_minute
    WHERE site = {site:String} AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
    GROUP BY period
) AS t USING (period)
LEFT JOIN
(
  -- @visit-figures
  -- Without filters, the visits are the sessions with a pageview that started in the range.
  FROM
  (
    -- @sessions
  )
  WHERE pageviews > 0 AND start_ts >= {from:DateTime64(3, 'UTC')} AND start_ts < {to:DateTime64(3, 'UTC')}
  GROUP BY period
) AS v USING (period)
