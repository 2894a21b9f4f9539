-- Headline figures without filters, over whole hours: hit counts from
-- traffic_minute, visit figures (visits, their distinct visitors, bounce,
-- duration) from sessions — exact, and far cheaper than merging sets of ids.
SELECT t.hits, t.pageviews, t.errors_4xx, t.errors_5xx, t.bot_hits,
       t.beacon_pageviews, toUInt64(greatest(0, toInt64(t.pageviews) - toInt64(t.beacon_pageviews))) AS log_only_pageviews,
       v.visitors, v.visits, v.bounce_rate, v.avg_duration_s
FROM
(
    SELECT sum(hits) AS hits, sum(pageviews) AS pageviews, sum(status_4xx) AS errors_4xx,
           sum(status_5xx) AS errors_5xx, sum(bot_hits) AS bot_hits, sum(beacon_pageviews) AS beacon_pageviews
    FROM traffic_minute
    WHERE site = {site:String} AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
) AS t,
(
  -- @visit-figures
) AS v
