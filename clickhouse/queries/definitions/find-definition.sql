-- One goal or funnel of a site, if it exists and was not deleted (`id` here is the id as text, lower case).
SELECT toString(id) AS id, site, toString(kind) AS kind, name, definition, toUnixTimestamp64Milli(created_at) AS created_at
FROM dashboard_definitions FINAL
WHERE site = {site:String} AND kind = {kind:String} AND id = {id:String} AND is_deleted = 0
