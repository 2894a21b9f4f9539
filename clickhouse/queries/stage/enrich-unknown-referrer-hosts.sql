-- Of the hosts JavaScript's `new URL()` found in a batch's odd referrers (processor/stage/referrers.ts),
-- those referrer_host_values does not know yet; a plain referrer's host is checked in enrich-needs.sql.
SELECT host
FROM (SELECT arrayJoin({hosts:Array(String)}) AS host)
WHERE host != '' AND NOT dictHas('referrer_host_values', tuple(host))
