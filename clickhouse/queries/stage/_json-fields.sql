        -- Stage 3, nginx JSON lines (processor/parsers/nginx-json-line.ts): an object whose keys are each there once
        -- (JSON.parse keeps the last of two, the engine's reader the first) and whose every value is a string, null
        -- or a whole number of at most 15 digits (which String() writes as it stands); no escape can be in them
        -- (stage 2). str()'s "-" and null are unset. A valid status makes `message` and `log` no shipper's
        -- envelope. Times: nginx's $msec (seconds, up to three decimals) or an ISO 8601 time with its offset and
        -- every part in range (ECMA-262 §21.4.1.32); other forms, several upstream times, numbers in any other
        -- spelling fall back.
        SELECT
            seq,
            site,
            received_at,
            j[4] AS client,
            if(j[1] != '',
                toFloat64(toInt64OrZero(splitByChar('.', j[1])[1]) * 1000 + toInt64OrZero(rightPad(splitByChar('.', j[1])[2], 3, '0'))),
                toFloat64((toInt32(first_of_month) + toInt64OrZero(iso[3]) - 1) * 86400000
                    + toInt64OrZero(iso[4]) * 3600000 + toInt64OrZero(iso[5]) * 60000 + toInt64OrZero(iso[6]) * 1000
                    - if(iso[7] = '-', -1, 1) * (toInt64OrZero(iso[8]) * 60 + toInt64OrZero(iso[9])) * 60000)) AS ts,
            if(j[6] != '', j[6], j[7]) AS method,
            if(j[8] != '', j[8], j[9]) AS target,
            toUInt16OrZero(j[10]) AS status,
            toUInt64OrZero(j[11]) AS bytes,
            toUInt32(toUInt32OrZero(splitByChar('.', j[12])[1]) * 1000 + toUInt32OrZero(rightPad(splitByChar('.', j[12])[2], 3, '0')))
                AS request_time_ms,
            toUInt32(toUInt32OrZero(splitByChar('.', j[13])[1]) * 1000 + toUInt32OrZero(rightPad(splitByChar('.', j[13])[2], 3, '0')))
                AS upstream_time_ms,
            toBool(j[12] != '') AS timed,
            if(j[14] != '', j[14], j[15]) AS referrer,
            if(j[16] != '', j[16], j[17]) AS user_agent,
            lower(j[5]) AS host,
            substring(trimBoth(splitByRegexp('[,;]', if(j[18] != '', j[18], j[19]))[1]), 1, 16) AS language
        FROM (
            SELECT
                *,
                extractGroups(if(j[2] != '', j[2], j[3]),
                    '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:Z|([+-])([0-9]{2}):([0-9]{2}))$') AS iso,
                makeDate32(least(greatest(toUInt16OrZero(iso[1]), 1990), 2299), least(greatest(toUInt8OrZero(iso[2]), 1), 12), 1)
                    AS first_of_month
            FROM (
                SELECT
                    seq,
                    site,
                    received_at,
                    JSONExtractKeysAndValuesRaw(text) AS kv,
                    arrayMap(e -> e.1, kv) AS keys,
                    arrayMap(e -> e.2, kv) AS raws,
                    -- The keys the parser reads, each looked up once here rather than once a use: j[n] is the n-th of this list.
                    arrayMap(r -> multiIf(r IN ('"-"', 'null'), '', startsWith(r, '"'), substring(r, 2, length(r) - 2), r),
                        arrayMap(k -> raws[indexOf(keys, k)], [
                            'msec', 'time_iso8601', 'time', 'remote_addr', 'host', 'request_method', 'method', 'request_uri',
                            'uri', 'status', 'body_bytes_sent', 'request_time', 'upstream_response_time', 'http_referer',
                            'referer', 'http_user_agent', 'user_agent', 'http_accept_language', 'accept_language'])) AS j
                FROM (
-- @log-text
                )
                WHERE json_line AND isValidJSON(text) AND JSONType(text) = 'Object'
            )
        )
        WHERE length(kv) > 0
            AND length(arrayDistinct(keys)) = length(kv)
            AND arrayAll(r -> startsWith(r, '"') OR r = 'null' OR match(r, '^(0|[1-9][0-9]{0,14})$'), raws)
            AND match(j[10], '^[1-9][0-9]{2}$')
            AND match(j[11], '^([0-9]{1,15})?$')
            AND match(j[12], '^([0-9]{1,6}(\\.[0-9]{1,3})?)?$')
            AND match(j[13], '^([0-9]{1,6}(\\.[0-9]{1,3})?)?$')
            AND if(j[1] != '',
                match(j[1], '^[0-9]{1,10}(\\.[0-9]{1,3})?$'),
                length(iso) = 9 AND toUInt16OrZero(iso[1]) BETWEEN 1990 AND 2299 AND toUInt8OrZero(iso[2]) BETWEEN 1 AND 12
                    AND toUInt8OrZero(iso[3]) BETWEEN 1 AND toDayOfMonth(toLastDayOfMonth(first_of_month))
                    AND toUInt8OrZero(iso[4]) <= 23 AND toUInt8OrZero(iso[5]) <= 59 AND toUInt8OrZero(iso[6]) <= 59
                    AND toUInt8OrZero(iso[8]) <= 23 AND toUInt8OrZero(iso[9]) <= 59)
