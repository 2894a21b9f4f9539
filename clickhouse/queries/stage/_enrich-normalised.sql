-- The normalise step (processor/steps/normalise.ts) on every staged event, in
-- the engine. Its URL and query rules follow WHATWG URL, as `new URL()` and
-- URLSearchParams do, on the inputs whose result is plain to see; the rest
-- (`referrer_odd`, the odd ones of `utm_raw_odds`) is worked out in JavaScript
-- once per distinct value (processor/stage/referrers.ts,
-- processor/stage/utm-values.ts) and joined by value. Included by
-- enrich-needs.sql and _enrich.sql, so both decide alike what is odd.
--
-- Written for the query analyzer, whose work is most of a batch's cost in the
-- embedded engine (~50 µs per function of the analysed tree, whatever the
-- batch's size; issue 27): an alias used twice is analysed twice, its whole
-- expression copied, so values used more than once are bound once as a
-- lambda's argument or passed on as an array of tuples, not chained aliases;
-- and each subquery a column passes through is analysed again, so there are
-- two levels, not one per step.
SELECT
    *,
    -- Host: without "www." and a port, as logged (a JSON log's $host keeps its case).
    replaceRegexpOne(replaceRegexpOne(host, '^www\\.', ''), ':\\d+$', '') AS host_n,
    -- A plain http(s) URL: an ASCII host of letters, digits and hyphens whose last label is not a
    -- number (WHATWG reads "a.1" and "0x7f" as IPv4), no "xn--" label (checked by IDNA), an
    -- optional short port, and a path of characters WHATWG keeps as they are, without dot segments
    -- (which it resolves). Query and fragment change neither host nor path.
    lower(replaceRegexpOne(extract(referrer, '^[A-Za-z]+://([^/?#]*)'), ':[0-9]*$', '')) AS referrer_hostname,
    extract(referrer, '^[A-Za-z]+://[^/?#]*(/[^?#]*)') AS referrer_plain_path,
    referrer != ''
        AND NOT (
            match(referrer, '(?s)^[hH][tT][tT][pP][sS]?://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.?(:[0-9]{1,4})?(/[A-Za-z0-9._~!$&\'()*+,;=:@%/-]*)?([?#].*)?$')
            AND NOT match(referrer_hostname, '(^|\\.)xn--')
            AND NOT match(extract(referrer_hostname, '([^.]*)\\.?$'), '^([0-9]+|0x[0-9a-f]*)$')
            AND NOT match(referrer_plain_path, '(?i)(^|/)(\\.|%2e){1,2}(/|$)')
        ) AS referrer_odd,
    -- A plain URL's referrer host, as normalise.ts makes it: the hostname without "www.".
    replaceRegexpOne(referrer_hostname, '^www\\.', '') AS referrer_plain_host,
    -- UTM: the query's utm_source, _medium, _campaign, _content and _term, each (raw, odd), only
    -- when the query mentions "utm_", as normalise.ts looks. URLSearchParams' pairs: one leading
    -- "?" dropped, "&" between pairs, the first "=" in one, the name percent-decoded with "+" as a
    -- space; a name given twice, its first value.
    -- A value decoding to ASCII alone is cleaned here; any other byte needs the WHATWG UTF-8
    -- decoder (one U+FFFD per bad sequence), JavaScript's lowercasing and its UTF-16 length. So does
    -- a "%" without two hex digits after it: WHATWG keeps the "%" alone and reads on, where
    -- decodeURLFormComponent copies the two characters after it as they are ("%[%2e" stays so).
    arrayMap(raw -> (raw, NOT match(raw, '^[\\x20-\\x7e]*$') OR match(raw, '%[89a-fA-F][0-9a-fA-F]')
            OR position(replaceRegexpAll(raw, '%[0-9a-fA-F]{2}', ''), '%') > 0),
        arrayMap(pairs -> arrayMap(name -> tupleElement(arrayFirst(pair -> tupleElement(pair, 1) = name, pairs), 2),
                ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term']),
            [arrayMap(p -> (decodeURLFormComponent(if(position(p, '=') > 0, substring(p, 1, position(p, '=') - 1), p)),
                    if(position(p, '=') > 0, substring(p, position(p, '=') + 1), '')),
                if(position(query, 'utm_') = 0, [], splitByChar('&', if(startsWith(query, '?'), substring(query, 2), query))))])[1]
    ) AS utm_raw_odds,
    toDate(toDateTime(intDiv(ts, 1000), 'UTC')) AS day,
    -- The country the collector looked up (processor/steps/locate.ts), else the address is looked up.
    match(header_country, '^[A-Z]{2}$') AS country_from_hit,
    NOT country_from_hit AND client != '' AND NOT startsWith(client, '~') AS country_to_look_up
FROM {stage:Identifier}
