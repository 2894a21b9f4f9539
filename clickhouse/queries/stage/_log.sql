    -- Access-log lines (processor/parsers/combined-line.ts, nginx-json-line.ts), rule for rule.
    concat('[^', substring(js_space, 2)) AS js_nonspace,
    -- JavaScript's "." stops at every line terminator, RE2's only at a line feed.
    '[^\\n\\r\\x{2028}\\x{2029}]' AS js_dot,
    concat('"((?:[^"\\\\]|\\\\', js_dot, ')*)"') AS log_quoted,
    concat(
        '^(', js_nonspace, '+) ', js_nonspace, '+ ', js_nonspace, '+ \\[([^\\]]+)\\] ', log_quoted, ' ([0-9]{3}) ([0-9]+|-)(?:',
        js_space, '*$| ', log_quoted, ' ', log_quoted, '(?:', js_space, js_dot, '*)?$)'
    ) AS combined_pattern,
    concat('^', js_nonspace, '+ ', js_nonspace, '+ ', js_nonspace, '+ \\[') AS looks_like_log,
    -- Buffer#toString('utf8') (the WHATWG decoder): every maximal part of a sequence that is not UTF-8 is one U+FFFD,
    -- not one per run as toValidUTF8 does; read on the bytes' hex, where the pattern sees bytes, not characters.
    b -> arrayStringConcat(arrayMap(
        t -> if(length(t) = multiIf(t < '80', 2, t < 'C2', 0, t < 'E0', 4, t < 'F0', 6, t < 'F5', 8, 0), unhex(t), '\xEF\xBF\xBD'),
        extractAll(hex(b), '[0-7][0-9A-F]|(?:C[2-9A-F]|D[0-9A-F])[89AB][0-9A-F]|E0[AB][0-9A-F][89AB][0-9A-F]|E[1-9A-CEF][89AB][0-9A-F][89AB][0-9A-F]|ED[89][0-9A-F][89AB][0-9A-F]|F0[9AB][0-9A-F][89AB][0-9A-F][89AB][0-9A-F]|F[1-3][89AB][0-9A-F][89AB][0-9A-F][89AB][0-9A-F]|F48[0-9A-F][89AB][0-9A-F][89AB][0-9A-F]|E0[AB][0-9A-F]|E[1-9A-CEF][89AB][0-9A-F]|ED[89][0-9A-F]|F0[9AB][0-9A-F](?:[89AB][0-9A-F])?|F[1-3][89AB][0-9A-F](?:[89AB][0-9A-F])?|F48[0-9A-F](?:[89AB][0-9A-F])?|[0-9A-F]{2}'))) AS utf8_decode,
    -- unescapeLogField: \" \\ and \xHH (bytes); every other character as its UTF-8, which for one beyond U+FFFF
    -- (taken as two UTF-16 halves there, each encoded alone) is two U+FFFD.
    s -> if(position(s, '\\') = 0, s, utf8_decode(arrayStringConcat(arrayMap(
        t -> multiIf(
            match(t, '^\\\\x[0-9a-fA-F]{2}$'), unhex(substring(t, 3)),
            t IN ('\\"', '\\\\'), substring(t, 2),
            replaceRegexpAll(t, '[\\x{10000}-\\x{10FFFF}]', '\xEF\xBF\xBD\xEF\xBF\xBD')),
        extractAll(s, '\\\\x[0-9a-fA-F]{2}|\\\\["\\\\]|[^\\\\]+|\\\\'))))) AS unescape_log_field,
    -- Days from 1970-01-01 to the first of a month (H. Hinnant's days_from_civil), for Date.UTC's arithmetic:
    -- days, hours, minutes and seconds past their range carry over, as they do there; years 0-99 are 1900-1999.
    (y, m) -> (intDiv(y - (m <= 2), 400) * 146097
        + ((y - (m <= 2)) % 400) * 365 + intDiv((y - (m <= 2)) % 400, 4) - intDiv((y - (m <= 2)) % 400, 100)
        + intDiv(153 * ((m + 9) % 12) + 2, 5) - 719468) AS days_to_month,
    -- $time_local (`25/Oct/2015:04:11:25 +0100`) to ms since the epoch, or NaN.
    g -> if(
        length(g) = 9 AND indexOf(['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'], g[2]) > 0,
        toFloat64(
            (days_to_month(if(toInt64(g[3]) < 100, toInt64(g[3]) + 1900, toInt64(g[3])),
                indexOf(['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'], g[2])) + toInt64(g[1]) - 1) * 86400000
            + toInt64(g[4]) * 3600000 + toInt64(g[5]) * 60000 + toInt64(g[6]) * 1000
            - if(g[7] = '-', -1, 1) * (toInt64(g[8]) * 60 + toInt64(g[9])) * 60000),
        nan) AS time_groups_ms,
    t -> time_groups_ms(extractGroups(t, '^([0-9]{2})/([A-Z][a-z]{2})/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$'))
        AS time_local_ms,
    -- Date.parse of the ISO 8601 forms (ECMA-262 §21.4.3.2): a date alone is UTC, a time without an offset the
    -- process's zone (UTC here). V8's fallback for other forms is not followed: they are NaN.
    g -> if(
        length(g) = 9 AND toInt64OrZero(g[2] || '01') BETWEEN 1 AND 12 AND toInt64OrZero(g[3] || '01') BETWEEN 1 AND 31
            AND toInt64OrZero(g[4]) <= 24 AND toInt64OrZero(g[5]) <= 59 AND toInt64OrZero(g[6]) <= 59,
        toFloat64(
            (days_to_month(toInt64(g[1]), toInt64(g[2] || '01')) + toInt64(g[3] || '01') - 1) * 86400000
            + toInt64OrZero(g[4]) * 3600000 + toInt64OrZero(g[5]) * 60000 + toInt64OrZero(g[6]) * 1000
            + toInt64OrZero(rightPad(substring(g[7], 1, 3), 3, '0'))
            - if(g[8] IN ('', 'Z'), 0, if(startsWith(g[8], '-'), -1, 1) * (toInt64(substring(g[8], 2, 2)) * 60 + toInt64(substring(g[8], 5, 2))) * 60000)),
        nan) AS iso_groups_ms,
    t -> iso_groups_ms(extractGroups(t,
        '^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$'))
        AS js_date_parse,
    -- numbers/isPlausibleTime: after 1990, and not a day after when it arrived (or now).
    (ms, received, now) -> isFinite(ms) AND ms >= 631152000000 AND ms <= greatest(received, now) + 86400000 AS is_plausible_time,
    -- nginx JSON: a string ("-" is unset) or a number as String() writes it; anything else is unset.
    (j, k) -> multiIf(
        JSONType(j, k) = 'String', if(JSONExtractString(j, k) = '-', '', JSONExtractString(j, k)),
        JSONType(j, k) IN ('Int64', 'UInt64', 'Double'), js_number_text(JSONExtractFloat(j, k)),
        '') AS json_str,
    -- $upstream_response_time may list several upstreams ("0.010, 0.020"): their sum.
    s -> arraySum(arrayMap(
        p -> greatest(0., if(isNaN(js_number(p)), 0., js_number(p))),
        splitByRegexp(concat('[,:]', js_space, '*'), s))) AS json_num,
    s -> js_slice(js_trim(splitByRegexp('[,;]', s)[1]), 16) AS first_language,
