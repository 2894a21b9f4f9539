-- The salt of each recent day: the smallest, so every processor picks the same one.
SELECT toString(salts.day) AS salt_day, min(salts.salt) AS salt_hex
FROM salts
WHERE salts.day >= {oldest:Date}
GROUP BY salts.day
