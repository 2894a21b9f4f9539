-- The verdicts a batch stored before (it is being done again after a crash):
-- how many, and the days they are of.
SELECT toString(min(day)) AS first, toString(max(day)) AS last, count() AS n
FROM bot_visitors
WHERE batch = {batch:String}
