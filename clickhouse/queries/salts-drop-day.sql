-- A salt is destroyed with its partition: after that a visitor hash of that day cannot be tied to an IP.
ALTER TABLE visitor_salts DROP PARTITION {day:Date}
