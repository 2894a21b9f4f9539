-- While `scalehouse replay` imports a file, visitors of days whose salts are
-- long gone are hashed with salts derived from a seed kept here, so a replay
-- that is interrupted and run again hashes them the same way. The seed is
-- deleted when the file is done (the TTL is the backstop), after which those
-- hashes can no longer be tied to anyone.
CREATE TABLE IF NOT EXISTS replay_seeds
(
    file_hash   String,
    seed        String,
    created_at  DateTime DEFAULT now()
)
ENGINE = MergeTree
ORDER BY file_hash
TTL created_at + INTERVAL 7 DAY
SETTINGS non_replicated_deduplication_window = 1000;
