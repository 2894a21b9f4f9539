        -- Stage 1, the envelope (common/hit.ts decodeHit): only a log Hit exactly as encodeHit writes one in
        -- printable ASCII — its keys in logHit's order, its strings with no escape but \" and \\, its headers flat
        -- — read by one pattern rather than a JSON reader, so that nothing can be read otherwise than JSON.parse
        -- reads it (a key given twice, a number in another spelling, an escape the two decode differently: none
        -- matches). Everything else falls back to the JavaScript: damaged or cut records, beacons, other shapes.
        SELECT
            seq,
            flaw = '' AND match(value, '^[\\x20-\\x7E]*$') AND length(hit) = 3 AS plain_hit,
            extractGroups(value, concat(
                '^\\{"v":1,"kind":"log","site":"((?:[^"\\\\]|\\\\["\\\\])*)","receivedAt":(0|[1-9][0-9]{0,12}),',
                '"client":"(?:[^"\\\\]|\\\\["\\\\])*","headers":\\{(?:"[A-Za-z]+":(?:"[^"\\\\]*"|true|false)',
                '(?:,"[A-Za-z]+":(?:"[^"\\\\]*"|true|false))*)?\\},"line":"((?:[^"\\\\]|\\\\["\\\\])*)"\\}$')) AS hit,
            replaceRegexpAll(hit[1], '\\\\(["\\\\])', '\\1') AS site,
            -- At most 13 digits: below decodeHit's limit (year 2300) by construction.
            toFloat64(toUInt64OrZero(hit[2])) AS received_at,
            replaceRegexpAll(hit[3], '\\\\(["\\\\])', '\\1') AS line
        FROM {stage:Identifier}
