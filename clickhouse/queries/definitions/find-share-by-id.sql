-- A live shared link of a site by its id, with what revoking it must write again.
SELECT token_digest, toString(id) AS id, site, label, password_hash, embed_origins, toUnixTimestamp64Milli(created_at) AS created_at
FROM share_links FINAL
WHERE site = {site:String} AND id = {id:String} AND is_deleted = 0
