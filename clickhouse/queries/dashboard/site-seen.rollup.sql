-- Whether a site has had a hit, people's or bots' (a row in traffic_minute):
-- the realtime view opens only for such sites. traffic_minute is ordered by
-- (site, minute), so this reads one granule of the primary key's index.
SELECT 1 AS seen
FROM traffic_minute
WHERE site = {site:String}
LIMIT 1
