SELECT session_id, visitor_id, start_ts, pageviews, is_bounce, duration_s, entry_path, exit_path, referrer_host,
       channel, utm_source, utm_medium, utm_campaign, browser, os, device_type, country
FROM
(
  -- @sessions
)
WHERE pageviews > 0
  -- Without a hit filter, visits that started in the range; with one, also those that started
  -- before it (up to a week: no session lasts that long) and have a selected hit in it.
  AND start_ts >= if({page:String} = '' AND {status_class:UInt8} = 0, {from:DateTime64(3, 'UTC')}, {from:DateTime64(3, 'UTC')} - INTERVAL 7 DAY)
  AND start_ts < {to:DateTime64(3, 'UTC')}
  -- @session-filters
  AND (
    ({page:String} = '' AND {status_class:UInt8} = 0)
    OR (end_ts >= {from:DateTime64(3, 'UTC')} AND session_id IN (
      SELECT session_id
      FROM
      (
        -- @session-ids
      )
      WHERE sid IN (
        SELECT session_id FROM events
        WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
          AND NOT ({page:String} = '' AND {status_class:UInt8} = 0)
          -- @hit-conditions
      )
    ))
  )
