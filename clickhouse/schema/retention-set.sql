-- RAW_RETENTION_DAYS > 0: raw rows older than that many days are dropped by TTL.
ALTER TABLE {table:Identifier} MODIFY TTL toDateTime(ts) + toIntervalDay({days:UInt32})
