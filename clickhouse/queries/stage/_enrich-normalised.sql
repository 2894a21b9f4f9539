-- The normalise step (processor/steps/normalise.ts) on every staged event, in
-- the engine. Its URL and query rules follow WHATWG URL, as `new URL()` and
-- URLSearchParams do, on the inputs whose result is plain to see; the rest
-- (`referrer_odd`, `utm_*_odd`) is worked out in JavaScript once per distinct
-- value (processor/stage/referrers.ts, processor/stage/utm-values.ts) and
-- joined by value. Included by enrich-needs.sql and enrich.sql, so both
-- decide alike what is odd.
SELECT
    *,
    -- Host: without "www." and a port, as logged (a JSON log's $host keeps its case).
    replaceRegexpOne(replaceRegexpOne(host, '^www\\.', ''), ':\\d+$', '') AS host_n,
    -- A plain http(s) URL: an ASCII host of letters, digits and hyphens whose last label is not a
    -- number (WHATWG reads "a.1" and "0x7f" as IPv4), no "xn--" label (checked by IDNA), an
    -- optional short port, and a path of characters WHATWG keeps as they are, without dot segments
    -- (which it resolves). Query and fragment change neither host nor path.
    extract(referrer, '^[A-Za-z]+://([^/?#]*)') AS referrer_authority,
    lower(replaceRegexpOne(referrer_authority, ':[0-9]*$', '')) AS referrer_hostname,
    extract(referrer, '^[A-Za-z]+://[^/?#]*(/[^?#]*)') AS referrer_plain_path,
    referrer != ''
        AND NOT (
            match(referrer, '(?s)^[hH][tT][tT][pP][sS]?://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.?(:[0-9]{1,4})?(/[A-Za-z0-9._~!$&\'()*+,;=:@%/-]*)?([?#].*)?$')
            AND NOT match(referrer_hostname, '(^|\\.)xn--')
            AND NOT match(extract(referrer_hostname, '([^.]*)\\.?$'), '^([0-9]+|0x[0-9a-f]*)$')
            AND NOT match(referrer_plain_path, '(?i)(^|/)(\\.|%2e){1,2}(/|$)')
        ) AS referrer_odd,
    -- UTM: URLSearchParams' pairs (one leading "?" dropped, "&" between pairs, the first "=" in
    -- one), names percent-decoded with "+" as a space; only when the query mentions "utm_", as
    -- normalise.ts looks.
    if(position(query, 'utm_') = 0, [], splitByChar('&', if(startsWith(query, '?'), substring(query, 2), query))) AS utm_pairs,
    arrayMap(p -> decodeURLFormComponent(if(position(p, '=') > 0, substring(p, 1, position(p, '=') - 1), p)), utm_pairs) AS utm_names,
    arrayMap(p -> if(position(p, '=') > 0, substring(p, position(p, '=') + 1), ''), utm_pairs) AS utm_raws,
    utm_raws[indexOf(utm_names, 'utm_source')] AS utm_source_raw,
    utm_raws[indexOf(utm_names, 'utm_medium')] AS utm_medium_raw,
    utm_raws[indexOf(utm_names, 'utm_campaign')] AS utm_campaign_raw,
    utm_raws[indexOf(utm_names, 'utm_content')] AS utm_content_raw,
    utm_raws[indexOf(utm_names, 'utm_term')] AS utm_term_raw,
    -- A value decoding to ASCII alone is cleaned here; any other byte needs the WHATWG UTF-8
    -- decoder (one U+FFFD per bad sequence), JavaScript's lowercasing and its UTF-16 length. So does
    -- a "%" without two hex digits after it: WHATWG keeps the "%" alone and reads on, where
    -- decodeURLFormComponent copies the two characters after it as they are ("%[%2e" stays so).
    arrayMap(raw -> NOT match(raw, '^[\\x20-\\x7e]*$') OR match(raw, '%[89a-fA-F][0-9a-fA-F]')
            OR position(replaceRegexpAll(raw, '%[0-9a-fA-F]{2}', ''), '%') > 0,
        [utm_source_raw, utm_medium_raw, utm_campaign_raw, utm_content_raw, utm_term_raw]) AS utm_odds,
    utm_odds[1] AS utm_source_odd,
    utm_odds[2] AS utm_medium_odd,
    utm_odds[3] AS utm_campaign_odd,
    utm_odds[4] AS utm_content_odd,
    utm_odds[5] AS utm_term_odd,
    toDate(toDateTime(intDiv(ts, 1000), 'UTC')) AS day,
    -- The country the collector looked up (processor/steps/locate.ts), else the address is looked up.
    match(header_country, '^[A-Z]{2}$') AS country_from_hit,
    NOT country_from_hit AND client != '' AND NOT startsWith(client, '~') AS country_to_look_up
FROM {stage:Identifier}
