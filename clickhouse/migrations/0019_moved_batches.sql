-- The batches whose bot visitors' hits were moved (processor/load/move-bot-visitors.ts): a
-- batch done again after a crash that finds its mark here moves nothing, whatever
-- ClickHouse's insert deduplication remembers. The move's own token still covers a crash
-- between the move and its mark. Why both: in CI the differential test once saw a batch's
-- moves made twice, on its redo, under the same token (tests/integration/engine-program.test.ts;
-- not reproduced since, cause not found); with the mark a redo no longer depends on the
-- deduplication of that INSERT … SELECT into moved_hits' views.
CREATE TABLE IF NOT EXISTS moved_batches
(
    batch  String                CODEC(ZSTD(1)),
    ts     DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY batch
-- A batch is done again within minutes of its first load (a crash, a rebalance), or within the
-- bus's retention at most: a week's marks are plenty.
TTL toDateTime(ts) + INTERVAL 7 DAY
SETTINGS non_replicated_deduplication_window = 1000, ttl_only_drop_parts = 1;
