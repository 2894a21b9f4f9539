-- Days whose salts are older than two days and still on disk.
SELECT DISTINCT toString(day) AS old_day FROM visitor_salts WHERE day < {oldest:Date}
