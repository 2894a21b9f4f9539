-- One batch of bus records, staged for the parse (processor/stage/stage-payload.ts):
-- a temporary table (Memory, never on disk) of this session, dropped when the
-- batch is parsed. `flaw` is what the bus or the line reader already found
-- wrong with the record: 'damaged' (a checksum mismatch) or 'cut' (a line
-- longer than LOG_LINE_MAX_BYTES), its text in `flaw_detail`.
CREATE TEMPORARY TABLE {table:Identifier}
(
    seq         UInt32,
    position    String,
    offset      UInt64,
    value       String,
    flaw        LowCardinality(String),
    flaw_detail String
)
