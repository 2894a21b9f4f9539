-- The enrichment steps of processor/pipeline.ts after parse, on a whole staged batch at once:
-- normalise (_enrich-normalised.sql), classify the user agent and detect bots (user_agents, as
-- the dictionary user_agent_values), classify the referrer (referrer_hosts, as
-- referrer_host_values; internal when the referrer is one of the site's hosts, {own_sites} →
-- {own_hosts}), locate ({addresses} → {countries}) and protect privacy (the visitor's keyed hash
-- under the day's salt, {salt_days} → {salt_keys}; opted-out hits dropped). One row per staged
-- event, in no order (tests/helpers/enrich-staged.ts sorts what it reads; a table needs none), with its outcome as
-- processor/batch/run-records.ts names them: `event`, `dropped` (bot, opted_out) or `dead_letter`
-- (processing_error: a value the batch's JavaScript left out — a bug, never a guess). No address is
-- in any column: a dropped hit, like an event, keeps none. Read as rows (enrich.sql) or kept in the
-- engine (enrich-into.sql), the same text.
--
-- Two levels over the normalised events, as _enrich-normalised.sql says why: what several columns
-- read (outcome, the user agent's values, the referrer's host) is a column of the level below, not
-- an alias copied into each. `outcome` is not in the level of the dictGet: there the analyzer's
-- optimize_inverse_dictionary_lookup turns `is_bot = 1` into an IN over the dictionary and fails on
-- its tuple key ("Type mismatch in IN or VALUES section", ClickHouse of chdb 3.4).
SELECT
    position,
    offset,
    outcome,
    multiIf(outcome = 'dead_letter', 'processing_error', is_bot = 1, 'bot', outcome = 'dropped', 'opted_out', '') AS reason,
    multiIf(ua_known = 0, 'user agent not classified', outcome = 'dead_letter' AND rh_known = 0, 'referrer host not classified',
        outcome = 'dead_letter', 'no salt for the day', is_bot = 1, tupleElement(ua, 2), outcome = 'dropped', 'Sec-GPC or DNT', '') AS detail,
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
        -- A host a hit of the batch was for counts from that hit on, as run-records.ts learns it (in bus order,
        -- from the hits that become events).
        arrayExists(h -> h != '' AND (referrer_host = h OR endsWith(referrer_host, concat('.', h))),
            arrayConcat([host_n, replaceRegexpOne(site, '^www\\.', '')], own_hosts,
                groupUniqArrayIf(host_n, outcome = 'event' AND host_n != '') OVER (PARTITION BY site ORDER BY offset))), 'internal',
        dictGet('referrer_host_values', 'channel', tuple(referrer_host)))) AS channel,
    utm5[1] AS utm_source,
    utm5[2] AS utm_medium,
    utm5[3] AS utm_campaign,
    utm5[4] AS utm_content,
    utm5[5] AS utm_term,
    tupleElement(ua, 4) AS browser,
    tupleElement(ua, 5) AS browser_version,
    tupleElement(ua, 6) AS os,
    tupleElement(ua, 7) AS os_version,
    tupleElement(ua, 8) AS device_type,
    tupleElement(ua, 3) AS bot_name,
    if(is_bot = 1, '', if(country_from_hit, header_country, if(country_to_look_up,
        transform(client, {addresses:Array(String)}, {countries:Array(String)}, ''), ''))) AS country,
    language,
    screen_width,
    engaged_ms,
    props,
    if(outcome = 'event', toString(reinterpretAsUInt64(reverse(substring(
        HMAC('sha256', concat(site, '\n', client, '\n', user_agent), unhex(salt)), 1, 8)))), '0') AS visitor_id
FROM (
    SELECT
        *,
        tupleElement(ua, 1) AS is_bot,
        dictHas('referrer_host_values', tuple(referrer_host)) AS rh_known,
        multiIf(ua_known = 0, 'dead_letter', referrer_host != '' AND rh_known = 0, 'dead_letter', is_bot = 1, 'dropped',
            opt_out = 1, 'dropped', salt = '', 'dead_letter', 'event') AS outcome
    FROM (
        SELECT
            *,
            -- The referrer's host and path: worked out by _enrich-normalised.sql for a plain URL,
            -- else taken from what JavaScript's `new URL()` made of it ({ref_urls} → {ref_hosts},
            -- {ref_paths}, processor/stage/referrers.ts).
            multiIf(referrer = '', '', referrer_odd, transform(referrer, {ref_urls:Array(String)}, {ref_hosts:Array(String)}, ''),
                referrer_plain_host) AS referrer_host,
            multiIf(referrer = '', '', referrer_odd, transform(referrer, {ref_urls:Array(String)}, {ref_paths:Array(String)}, ''),
                if(referrer_plain_path = '', '/', referrer_plain_path)) AS referrer_path,
            -- The five UTM values of the query, as normalise.ts reads and cleans them, from JavaScript
            -- ({utm_queries} → {utm_values}, processor/stage/utm-values.ts).
            if(position(query, 'utm_') = 0, ['', '', '', '', ''],
                {utm_values:Array(Array(String))}[indexOf({utm_queries:Array(String)}, query)]) AS utm5,
            dictGet('user_agent_values', ('is_bot', 'bot_reason', 'bot_name', 'browser', 'browser_version', 'os', 'os_version', 'device_type'),
                tuple(user_agent)) AS ua,
            -- The site's own hosts as the pipeline knows them (processor/state/site-hosts.ts).
            {own_hosts:Array(Array(String))}[indexOf({own_sites:Array(String)}, site)] AS own_hosts,
            transform(toString(day), {salt_days:Array(String)}, {salt_keys:Array(String)}, '') AS salt,
            dictHas('user_agent_values', tuple(user_agent)) AS ua_known
        FROM (
-- @enrich-normalised
        )
    )
)
