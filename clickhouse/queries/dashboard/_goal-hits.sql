-- Hits that match any of the goals (or funnel steps) bound as two arrays of
-- the same length: {match_events:Array(String)} — a custom event's name, ''
-- for a page — and {match_paths:Array(String)} — an RE2 regex of the path
-- (dashboard/goals/pattern.ts), '' for an event. `mask` has bit i set when
-- the hit matches item i: a custom event of that name, or a pageview whose
-- path (as requested, or percent-decoded) matches. From the range's start
-- (a week before it with a hit filter, as _visits.sql) to a day after its
-- end: every hit of a visit that started in the range (a session never
-- spans midnight UTC). `ord` orders hits of the same millisecond: the
-- pageview before what happened on the page.
SELECT session_id AS sid, ts, if(is_pageview = 1, 0, 1) AS ord,
       arraySum(arrayMap((name, re, i) -> if(
         (name != '' AND event_type = 'event' AND event_name = name)
         OR (re != '' AND is_pageview = 1 AND (match(path, re) OR match(decodeURLComponent(path), re))),
         bitShiftLeft(toUInt64(1), i), toUInt64(0)),
       {match_events:Array(String)}, {match_paths:Array(String)}, range(length({match_events:Array(String)})))) AS mask
FROM events
WHERE site = {site:String}
  AND ts >= if({page:String} = '' AND {status_class:UInt8} = 0, {from:DateTime64(3, 'UTC')}, {from:DateTime64(3, 'UTC')} - INTERVAL 7 DAY)
  AND ts < {to:DateTime64(3, 'UTC')} + INTERVAL 1 DAY
  AND (event_type = 'event' OR is_pageview = 1)
  AND mask != 0
