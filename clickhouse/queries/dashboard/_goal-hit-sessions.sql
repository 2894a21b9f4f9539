-- The goal hits (_goal-hits.sql) with the session each belongs to: the FROM of
-- a per-session summary of goals (goal-conversions, funnel), which groups by session_id.
FROM
(
  -- @goal-hits
) AS g
INNER JOIN
(
  -- @session-ids
) AS s USING (sid)
