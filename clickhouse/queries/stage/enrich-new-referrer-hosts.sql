-- The referrer hosts of a batch that referrer_hosts does not know yet (their channel rules are
-- JavaScript's, processor/stage/referrers.ts).
SELECT DISTINCT referrer_host AS host
FROM (
-- @enrich-referred
)
WHERE referrer_host != '' AND referrer_host NOT IN (SELECT host FROM referrer_hosts)
