-- A funnel (dashboard/goals/): the visits the overview counts, under the same
-- filters, by how far each went through the steps in order. A visit reaches
-- step k when hits matching steps 1..k happened in that order, each hit
-- counting for one step: its matching hits in time order (_goal-hits.sql),
-- folded from step 1 — a hit that matches the next step moves it on.
-- Visits that matched no step are level 0.
SELECT h.level AS level, count() AS visits
FROM
(
  -- @visits
) AS v
LEFT JOIN
(
  SELECT s.session_id AS session_id,
         arrayFold((acc, m) -> if(acc < length({match_events:Array(String)}) AND bitTest(m, acc), toUInt8(acc + 1), acc),
                   arrayMap(x -> x.3, arraySort(groupArray((g.ts, g.ord, g.mask)))), toUInt8(0)) AS level
  -- @goal-hit-sessions
  GROUP BY session_id
) AS h USING (session_id)
GROUP BY level
ORDER BY level
