-- What sessions made of the batch's people's hits (processor/load/load-staged.ts), hit by hit: the session, and
-- what the session steps changed — a twin pageview no longer counted (and a beacon twin's path the log's), a
-- referral from the site itself made internal, a visitor found to be a bot by behaviour. A temporary table of the
-- batch's session, gone with it.
CREATE TEMPORARY TABLE {table:Identifier}
(
    position     String,
    session_id   String,
    is_pageview  UInt8,
    twin         UInt8,
    path         String,
    channel      String,
    bot_reason   String,
    bot_name     String
)
ENGINE = Memory
