-- Salts older than two days are destroyed: after that a visitor hash cannot be tied to an IP.
DELETE FROM salts WHERE day < {oldest:Date}
