-- Goal conversions (dashboard/goals/): the visits the overview counts, under
-- the same filters, by source (channel and referrer host, as sessions-by
-- reads them), with how many of them reached each goal — any hit of the
-- visit matching it (_goal-hits.sql). `conversions[i]` is of goal i.
SELECT channel, referrer_host, count() AS visits, sumForEach(reached) AS conversions
FROM
(
  SELECT v.channel AS channel, v.referrer_host AS referrer_host,
         arrayMap(i -> toUInt64(bitTest(h.mask, i)), range(length({match_events:Array(String)}))) AS reached
  FROM
  (
    -- @visits
  ) AS v
  LEFT JOIN
  (
    SELECT s.session_id AS session_id, groupBitOr(g.mask) AS mask
    -- @goal-hit-sessions
    GROUP BY session_id
  ) AS h USING (session_id)
)
GROUP BY channel, referrer_host
ORDER BY visits DESC, channel, referrer_host
