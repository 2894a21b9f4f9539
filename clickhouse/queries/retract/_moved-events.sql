    FROM events
    WHERE ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
      AND (site, visitor_id) IN (SELECT site, visitor_id FROM bot_visitors WHERE batch = {batch:String})
      -- Moved once: a visitor judged again later (a hit of its day more than two days late) is not moved twice.
      AND (site, visitor_id) NOT IN (SELECT site, visitor_id FROM bot_visitors WHERE batch != {batch:String})
