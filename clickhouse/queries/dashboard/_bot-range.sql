-- The site's rows of the rollup of bot hits (bots_minute) in the range: every minute that overlaps it.
WHERE site = {site:String} AND minute >= toStartOfMinute({from:DateTime64(3, 'UTC')}) AND minute < {to:DateTime64(3, 'UTC')}
