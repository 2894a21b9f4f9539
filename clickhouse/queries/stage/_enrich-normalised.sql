-- The normalise step (processor/steps/normalise.ts) on every staged event, in
-- the engine. Its URL rules follow WHATWG URL, as `new URL()` does, on the
-- referrers whose result is plain to see; the rest (`referrer_odd`) is worked
-- out in JavaScript once per distinct value (processor/stage/referrers.ts),
-- and so are the UTM values of the few queries that have any
-- (processor/stage/utm-values.ts). Included by enrich-needs.sql and
-- _enrich.sql, so both decide alike what is odd.
--
-- Written for the query analyzer, whose work is most of a batch's cost in the
-- embedded engine (~50 µs per function of the analysed tree, whatever the
-- batch's size; issue 27): an alias used twice is analysed twice, its whole
-- expression copied, so chains of aliases used over and over are avoided; and
-- each subquery a column passes through is analysed again, so there are
-- three levels in all (_enrich.sql), not one per step.
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
    toDate(toDateTime(intDiv(ts, 1000), 'UTC')) AS day,
    -- The country the collector looked up (processor/steps/locate.ts), else the address is looked up.
    match(header_country, '^[A-Z]{2}$') AS country_from_hit,
    NOT country_from_hit AND client != '' AND NOT startsWith(client, '~') AS country_to_look_up
FROM {stage:Identifier}
