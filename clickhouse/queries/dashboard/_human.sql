  -- Visitors found to be bots by what they did (bot_visitors, processor/bots/behaviour.ts):
  -- all their hits and sessions of that day are bots', those loaded before the verdict too.
  AND visitor_id NOT IN (
    SELECT visitor_id FROM bot_visitors
    WHERE site = {site:String}
      AND day >= toDate({from:DateTime64(3, 'UTC')}) - 8 AND day <= toDate({to:DateTime64(3, 'UTC')})
  )
