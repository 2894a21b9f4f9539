-- The goals or funnels of a site, oldest first (dashboard/goals/store.ts).
SELECT toString(id) AS id, site, toString(kind) AS kind, name, definition, toUnixTimestamp64Milli(created_at) AS created_at
FROM dashboard_definitions FINAL
WHERE site = {site:String} AND kind = {kind:String} AND is_deleted = 0
ORDER BY created_at, id
