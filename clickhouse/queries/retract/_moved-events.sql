    FROM events
    WHERE ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
      AND (site, visitor_id) IN (SELECT site, visitor_id FROM bot_visitors WHERE batch = {batch:String})
