-- The live shared links of a site, oldest first; never their digests or password hashes.
SELECT toString(id) AS id, site, label, password_hash != '' AS has_password, embed_origins, toUnixTimestamp64Milli(created_at) AS created_at
FROM share_links FINAL
WHERE site = {site:String} AND is_deleted = 0
ORDER BY created_at, id
