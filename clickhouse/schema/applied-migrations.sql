-- The migrations already applied, each with the checksum it had then.
SELECT version, argMax(checksum, applied_at) AS checksum
FROM schema_migrations
GROUP BY version
