-- Headline figures from the rollups: counts from traffic_minute, exact distinct
-- visitors from visitors_hour (whole hours), visits (sessions started in the
-- range) and their quality from sessions — counting sessions there is far
-- cheaper than merging exact sets of session ids.
SELECT
    t.hits, t.pageviews, t.errors_4xx, t.errors_5xx, t.bot_hits,
    u.visitors, s.visits,
    s.bounce_rate, s.avg_duration_s
FROM
(
    SELECT sum(hits) AS hits, sum(pageviews) AS pageviews, sum(status_4xx) AS errors_4xx,
           sum(status_5xx) AS errors_5xx, sum(bot_hits) AS bot_hits
    FROM traffic_minute
    WHERE site = {site:String} AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
) AS t,
(
    SELECT uniqExactMerge(visitors) AS visitors
    FROM visitors_hour
    WHERE site = {site:String} AND hour >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND hour < {to:DateTime64(3, 'UTC')}
) AS u,
(
    SELECT count() AS visits, if(count() = 0, 0, avg(is_bounce)) AS bounce_rate, if(count() = 0, 0, avg(duration_s)) AS avg_duration_s
    FROM sessions FINAL
    WHERE site = {site:String} AND start_ts >= {from:DateTime64(3, 'UTC')} AND start_ts < {to:DateTime64(3, 'UTC')}
) AS s
