-- The enrichment steps of processor/pipeline.ts after parse, on a whole staged batch at once:
-- normalise (_enrich-referred.sql), classify the user agent and detect bots (user_agents),
-- classify the referrer (referrer_hosts; internal when the referrer is one of the site's hosts,
-- site_hosts), locate ({addresses} → {countries}) and protect privacy (the visitor's keyed hash
-- under the day's salt of visitor_salts, or {salt_days} → {salt_keys} for a day not kept there;
-- opted-out hits dropped). One row per staged event, in offset order, with its outcome as
-- processor/batch/run-records.ts names them: `event`, `dropped` (bot, opted_out) or
-- `dead_letter` (processing_error: a value the batch's JavaScript left out — a bug, never a
-- guess). No address is in any column: a dropped hit, like an event, keeps none.
WITH
    -- A day visitor_salts does not keep (history being replayed) has the salt JavaScript gives it.
    if(kept_salt != '', kept_salt, transform(toString(day), {salt_days:Array(String)}, {salt_keys:Array(String)}, '')) AS salt
SELECT
    position,
    offset,
    multiIf(ua_known = 0, 'dead_letter', referrer_host != '' AND rh_known = 0, 'dead_letter', is_bot = 1, 'dropped',
        opt_out = 1, 'dropped', salt = '', 'dead_letter', 'event') AS outcome,
    multiIf(outcome = 'dead_letter', 'processing_error', is_bot = 1, 'bot', outcome = 'dropped', 'opted_out', '') AS reason,
    multiIf(ua_known = 0, 'user agent not classified', outcome = 'dead_letter' AND rh_known = 0, 'referrer host not classified',
        outcome = 'dead_letter', 'no salt for the day', is_bot = 1, toString(bot_reason), outcome = 'dropped', 'Sec-GPC or DNT', '') AS detail,
    site,
    ts,
    source,
    if(source = 'log', 'request', event_type) AS event_type,
    event_name,
    -- normalise.ts isPageRequest: a successful GET (or a 304) of a path that is not an asset. lower() is
    -- ASCII's, as JavaScript's /i is for the ASCII letters of the pattern.
    if(source = 'log',
        method = 'GET' AND ((status >= 200 AND status < 300 AND status != 204) OR status = 304) AND startsWith(path, '/')
            AND NOT match(lower(path), '\\.(?:css|js|mjs|map|json|xml|txt|ico|png|jpe?g|gif|svg|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|pdf|zip|gz|tgz|bz2|xz|rar|7z|exe|dmg|iso|csv|rss|atom|wasm)$'),
        is_pageview) AS is_pageview,
    user_agent,
    host_n AS host,
    method,
    path,
    query,
    status,
    bytes,
    request_time_ms,
    upstream_time_ms,
    timed,
    referrer,
    referrer_host,
    referrer_path,
    -- classify-referrer.ts channelOf: the site owner's UTM tags first, then the referrer's host. A
    -- bot stops before this step (and before locate and privacy).
    if(is_bot = 1, '', multiIf(
        utm_medium IN ('cpc', 'ppc', 'paid', 'paidsearch', 'paid_search', 'paid_social', 'display', 'cpm', 'banner'), 'paid',
        utm_medium IN ('email', 'newsletter'), 'email',
        utm_medium = 'social', 'social',
        utm_source != '' OR utm_campaign != '', 'campaign',
        referrer_host = '', 'direct',
        arrayExists(h -> h != '' AND (referrer_host = h OR endsWith(referrer_host, concat('.', h))),
            arrayConcat([host_n, replaceRegexpOne(site, '^www\\.', '')], own_hosts)), 'internal',
        toString(host_channel))) AS channel,
    utm_source,
    utm_medium,
    utm_campaign,
    utm_content,
    utm_term,
    toString(browser) AS browser,
    toString(browser_version) AS browser_version,
    toString(os) AS os,
    toString(os_version) AS os_version,
    toString(device_type) AS device_type,
    toString(bot_name) AS bot_name,
    if(is_bot = 1, '', if(country_from_hit, header_country, if(country_to_look_up,
        transform(client, {addresses:Array(String)}, {countries:Array(String)}, ''), ''))) AS country,
    language,
    screen_width,
    engaged_ms,
    props,
    if(outcome = 'event', toString(reinterpretAsUInt64(reverse(substring(
        HMAC('sha256', concat(site, '\n', client, '\n', user_agent), unhex(salt)), 1, 8)))), '0') AS visitor_id
FROM (
-- @enrich-referred
) AS e
LEFT ANY JOIN (
    SELECT user_agent AS ua, 1 AS ua_known, is_bot, bot_reason, bot_name, browser, browser_version, os, os_version, device_type
    FROM user_agents
    WHERE user_agent IN (SELECT user_agent FROM {stage:Identifier})
) AS u ON u.ua = e.user_agent
LEFT ANY JOIN (SELECT host AS rh, 1 AS rh_known, channel AS host_channel FROM referrer_hosts) AS r ON r.rh = e.referrer_host
LEFT ANY JOIN (
    SELECT site AS sh_site, groupUniqArray(host) AS own_hosts
    FROM site_hosts
    WHERE site IN (SELECT site FROM {stage:Identifier})
    GROUP BY site
) AS s ON s.sh_site = e.site
LEFT ANY JOIN (
    -- The smallest salt of a day, as processor/state/salt-store.ts reads it, for the days it keeps.
    SELECT day AS salt_day, min(salt) AS kept_salt FROM visitor_salts WHERE day >= {oldest:Date} GROUP BY day
) AS k ON k.salt_day = e.day
ORDER BY offset
