        -- Stage 3, combined/common lines (processor/parsers/combined-line.ts): COMBINED's own pattern, which on a
        -- plain line has one reading (no field can hold a quote), with the standard $time_local spelt out in it
        -- from 1990 (isPlausibleTime's earliest) to 2299 (makeDate32's last); the request split as splitRequest
        -- splits it. Date.UTC carries days, hours, minutes and seconds past their range over, as this sum does.
        -- A line the pattern does not take may still be one the JavaScript parses, or a dead letter: it falls back.
        SELECT
            seq,
            site,
            received_at,
            g[1] AS client,
            toFloat64((toInt32(makeDate32(least(greatest(year, 1990), 2299), greatest(month, 1), 1)) + toInt64OrZero(g[2]) - 1) * 86400000
                + toInt64OrZero(g[5]) * 3600000 + toInt64OrZero(g[6]) * 60000 + toInt64OrZero(g[7]) * 1000
                - if(g[8] = '-', -1, 1) * (toInt64OrZero(g[9]) * 60 + toInt64OrZero(g[10])) * 60000) AS ts,
            if(request_ok, request[1], '') AS method,
            if(request_ok, request[2], '') AS target,
            toUInt16OrZero(g[12]) AS status,
            toUInt64OrZero(g[13]) AS bytes,
            toUInt32(0) AS request_time_ms,
            toUInt32(0) AS upstream_time_ms,
            toBool(false) AS timed,
            if(g[14] = '-', '', g[14]) AS referrer,
            if(g[15] = '-', '', g[15]) AS user_agent,
            '' AS host,
            '' AS language
        FROM (
            SELECT
                seq,
                site,
                received_at,
                extractGroups(text,
                    '^([^ ]+) [^ ]+ [^ ]+ \\[([0-9]{2})/([A-Z][a-z]{2})/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})\\] "([^"]*)" ([0-9]{3}) ([0-9]{1,15}|-)(?: "([^"]*)" "([^"]*)"(?: .*)?)?$')
                    AS g,
                indexOf(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'], g[3]) AS month,
                toUInt16OrZero(g[4]) AS year,
                splitByChar(' ', g[11]) AS request,
                length(request) = 3 AND match(request[1], '^[A-Z]{1,16}$') AS request_ok
            FROM (
-- @log-text
            )
            WHERE plain_line AND NOT json_line
        )
        WHERE length(g) > 0 AND month > 0 AND year BETWEEN 1990 AND 2299
