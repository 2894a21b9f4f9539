-- Headline figures with filters, from raw events and sessions.
SELECT
    e.hits, e.pageviews, e.errors_4xx, e.errors_5xx, toUInt64(0) AS bot_hits,
    e.visitors, e.visits,
    s.bounce_rate, s.avg_duration_s
FROM
(
    SELECT count() AS hits, countIf(is_pageview = 1) AS pageviews,
           countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
           uniqExact(visitor_id) AS visitors, uniqExact(session_id) AS visits
    FROM events
    WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @event-filters
) AS e,
(
    SELECT if(count() = 0, 0, avg(is_bounce)) AS bounce_rate, if(count() = 0, 0, avg(duration_s)) AS avg_duration_s
    FROM sessions FINAL
    WHERE site = {site:String} AND start_ts >= {from:DateTime64(3, 'UTC')} AND start_ts < {to:DateTime64(3, 'UTC')}
  -- @session-filters
) AS s
