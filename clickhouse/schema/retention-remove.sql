-- RAW_RETENTION_DAYS = 0: raw rows are kept.
ALTER TABLE {table:Identifier} REMOVE TTL
