-- A table of a batch's stage goes with the batch (clickhouse/stage-session.ts): no address outlives it.
DROP TEMPORARY TABLE IF EXISTS {table:Identifier}
