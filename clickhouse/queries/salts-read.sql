-- The salt of each recent day: the smallest, so every processor picks the same one.
SELECT toString(day) AS salt_day, min(salt) AS salt_hex
FROM visitor_salts
WHERE day >= {oldest:Date}
GROUP BY day
