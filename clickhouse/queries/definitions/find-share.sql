-- The live shared link a token opens, by the token's digest (dashboard/share/store.ts).
SELECT token_digest, toString(id) AS id, site, label, password_hash, embed_origins, toUnixTimestamp64Milli(created_at) AS created_at
FROM share_links FINAL
WHERE token_digest = {digest:String} AND is_deleted = 0
