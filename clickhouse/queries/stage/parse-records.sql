-- The parse step (processor/steps/parse.ts) in the engine, for a batch staged by processor/stage/stage-records.ts:
-- per record, its outcome (an event, or a dead letter with the reason and detail the JavaScript gives) and
-- every Event field parse fills, its text cleaned and the visitor's address kept out of other fields as
-- processor/parsers/event-text.ts does. Not yet the processor's path: tests/integration/stage-parse.test.ts
-- holds it equal to the JavaScript.
WITH
-- @text
-- @log
-- @beacon
-- @address
    value AS v,
    -- common/hit.ts decodeHit.
    JSONType(v, 'receivedAt') IN ('Int64', 'UInt64', 'Double') AND JSONExtractFloat(v, 'receivedAt') >= 0
        AND JSONExtractFloat(v, 'receivedAt') < 10413792000000 AS received_ok,
    multiIf(
        NOT isValidJSON(v), 'hit is not JSON',
        JSONType(v) != 'Object', 'hit is not an object',
        NOT (JSONType(v, 'v') IN ('Int64', 'UInt64', 'Double') AND JSONExtractFloat(v, 'v') = 1),
            concat('unknown hit version ', if(JSONHas(v, 'v'), js_string_of_raw(JSONExtractRaw(v, 'v')), 'undefined')),
        JSONType(v, 'site') != 'String' OR JSONType(v, 'client') != 'String', 'hit lacks site or client',
        NOT received_ok, 'hit has no valid receivedAt',
        JSONHas(v, 'headers') AND JSONType(v, 'headers') NOT IN ('Null', 'Object'), 'hit headers are not an object',
        JSONExtractString(v, 'kind') = 'log' AND JSONType(v, 'kind') = 'String' AND JSONType(v, 'line') = 'String', '',
        JSONExtractString(v, 'kind') = 'beacon' AND JSONType(v, 'kind') = 'String' AND JSONType(v, 'payload') = 'Object', '',
        concat('unknown hit kind ', if(JSONHas(v, 'kind'), js_string_of_raw(JSONExtractRaw(v, 'kind')), 'undefined'))
    ) AS hit_invalid,
    JSONExtractString(v, 'kind') AS kind,
    JSONExtractFloat(v, 'receivedAt') AS received_at,
    -- A log line: "{" starts nginx JSON or a shipper's envelope (`message`, `log`) around one line.
    js_trim_end(JSONExtractString(v, 'line')) AS line,
    fix_surrogates(line) AS outer_json,
    startsWith(line, '{') AND isValidJSON(outer_json) AND JSONType(outer_json) = 'Object' AS outer_ok,
    outer_ok AND NOT JSONHas(outer_json, 'status') AND (JSONType(outer_json, 'message') = 'String' OR JSONType(outer_json, 'log') = 'String') AS wrapped,
    js_trim_end(if(JSONType(outer_json, 'message') = 'String', JSONExtractString(outer_json, 'message'), JSONExtractString(outer_json, 'log'))) AS inner_line,
    if(wrapped, inner_line, line) AS log_text,
    if(wrapped, fix_surrogates(inner_line), outer_json) AS json_doc,
    startsWith(log_text, '{') AS is_json_line,
    is_json_line AND isValidJSON(json_doc) AS json_valid,
    json_valid AND JSONType(json_doc) = 'Object' AS json_object,
    -- combined/common.
    extractGroups(log_text, combined_pattern) AS cg,
    time_local_ms(cg[2]) AS combined_ts,
    splitByChar(' ', cg[3]) AS request_parts,
    length(request_parts) = 3 AND match(request_parts[1], '^[A-Z]{1,16}$') AS request_ok,
    -- nginx JSON.
    multiIf(
        json_str(json_doc, 'msec') != '', js_round(js_number(json_str(json_doc, 'msec')) * 1000),
        json_str(json_doc, 'time_iso8601') != '', js_date_parse(json_str(json_doc, 'time_iso8601')),
        json_str(json_doc, 'time') != '', js_date_parse(json_str(json_doc, 'time')),
        json_str(json_doc, 'time_local') != '', time_local_ms(json_str(json_doc, 'time_local')),
        nan) AS json_ts,
    js_number(json_str(json_doc, 'status')) AS json_status,
    if(json_str(json_doc, 'request_uri') != '', json_str(json_doc, 'request_uri'), json_str(json_doc, 'uri')) AS json_uri,
    -- Beacons.
    JSONExtractRaw(v, 'payload') AS p,
    if(JSONHas(p, 'type'), JSONExtractRaw(p, 'type'), '"pageview"') AS beacon_type_raw,
    if(beacon_type_raw IN ('"pageview"', '"event"', '"engagement"'), JSONExtractString(concat('[', beacon_type_raw, ']'), 1), '') AS beacon_type,
    if(JSONHas(p, 'url'), js_string_of_raw(JSONExtractRaw(p, 'url')), 'undefined') AS beacon_url,
    if(JSONType(p, 'name') IN ('Null', 'Nothing') OR NOT JSONHas(p, 'name'), '', js_string_of_raw(JSONExtractRaw(p, 'name'))) AS beacon_name,
    JSONExtractRaw(v, 'headers') AS headers,
    -- The props: an object's own keys in JavaScript's order (array indices first, ascending), or an array's.
    JSONType(p, 'props') IN ('Object', 'Array') AS has_props,
    if(JSONType(p, 'props') = 'Array',
        arrayMap((e, i) -> (toString(i - 1), e), JSONExtractArrayRaw(p, 'props'), arrayEnumerate(JSONExtractArrayRaw(p, 'props'))),
        arraySort(kv -> (NOT match(kv.1, '^(0|[1-9][0-9]{0,9})$') OR toUInt64OrZero(kv.1) >= 4294967295, toUInt64OrZero(kv.1)),
            JSONExtractKeysAndValuesRaw(p, 'props'))) AS prop_entries,
    arrayFilter(kv -> match(kv.2, '^(?:"|-?[0-9]|true$|false$)'), arraySlice(prop_entries, 1, 30)) AS prop_kept,
    -- The outcome, in the order the JavaScript decides it.
    multiIf(
        flaw = 'damaged', 'damaged_record',
        hit_invalid != '', 'invalid_hit',
        flaw = 'cut', 'line_too_long',
        kind = 'beacon', multiIf(
            beacon_type = '', 'invalid_beacon',
            NOT url_valid, 'invalid_beacon',
            beacon_type = 'event' AND cut_text(beacon_name, 200) = '', 'invalid_beacon',
            ''),
        startsWith(line, '{') AND NOT outer_ok, 'invalid_json_line',
        is_json_line AND NOT json_object, 'invalid_json_line',
        is_json_line AND NOT is_plausible_time(json_ts, received_at, {now:Float64}), 'invalid_timestamp',
        is_json_line AND NOT (json_status = floor(json_status) AND json_status BETWEEN 100 AND 999), 'invalid_json_line',
        is_json_line, '',
        length(cg) = 0, if(match(log_text, looks_like_log), 'truncated_line', 'unrecognised_line'),
        NOT is_plausible_time(combined_ts, received_at, {now:Float64}), 'invalid_timestamp',
        '') AS reason,
    multiIf(
        reason = 'damaged_record' OR reason = 'line_too_long', flaw_detail,
        reason = 'invalid_hit', hit_invalid,
        reason = 'invalid_beacon', multiIf(
            beacon_type = '', concat('unknown beacon type ', beacon_type_raw),
            NOT url_valid, 'beacon url is missing or not an absolute URL',
            'custom event without a name'),
        reason = 'invalid_json_line', multiIf(
            startsWith(line, '{') AND NOT outer_ok AND NOT (isValidJSON(outer_json)), 'line starts with "{" but is not valid JSON (cut off?)',
            startsWith(line, '{') AND NOT outer_ok, 'JSON line is not an object',
            NOT json_valid, 'line starts with "{" but is not valid JSON (cut off?)',
            NOT json_object, 'JSON line is not an object',
            'JSON log line has no valid status'),
        reason = 'invalid_timestamp' AND is_json_line,
            'JSON log line has no readable msec, time_iso8601 or time_local, or a time in the future',
        reason = 'invalid_timestamp', concat('cannot read time "', cg[2], '", or it is in the future'),
        reason = 'truncated_line', 'access-log line ends before its status, size, referrer or user-agent field',
        reason = 'unrecognised_line', 'not an nginx combined/common or JSON access-log line',
        '') AS detail,
    -- The event's fields, as the parsers fill them.
    kind = 'beacon' AS is_beacon,
    multiIf(is_beacon, received_at, is_json_line, json_ts, combined_ts) AS ev_ts,
    multiIf(is_beacon, JSONExtractString(v, 'client'), is_json_line, json_str(json_doc, 'remote_addr'), cg[1]) AS ev_client,
    multiIf(
        is_beacon, if(JSONType(headers, 'userAgent') = 'String', JSONExtractString(headers, 'userAgent'), ''),
        is_json_line, if(json_str(json_doc, 'http_user_agent') != '', json_str(json_doc, 'http_user_agent'), json_str(json_doc, 'user_agent')),
        cg[8] IN ('', '-'), '', unescape_log_field(cg[8])) AS raw_user_agent,
    multiIf(is_beacon, url_hostname, is_json_line, lowerUTF8(json_str(json_doc, 'host')), '') AS raw_host,
    multiIf(is_beacon, 'GET', is_json_line,
        if(json_str(json_doc, 'request_method') != '', json_str(json_doc, 'request_method'), json_str(json_doc, 'method')),
        request_ok, request_parts[1], '') AS raw_method,
    multiIf(is_beacon, if(JSONExtractRaw(p, 'hash') = 'true' AND startsWith(url_hash, '#/'),
            cut_text(concat(url_pathname, url_hash), 2048), url_pathname),
        is_json_line, splitByChar('?', json_uri)[1], request_ok, splitByChar('?', request_parts[2])[1], '') AS raw_path,
    multiIf(is_beacon, url_query,
        is_json_line, if(position(json_uri, '?') > 0, substring(json_uri, position(json_uri, '?') + 1), ''),
        request_ok AND position(request_parts[2], '?') > 0, substring(request_parts[2], position(request_parts[2], '?') + 1), '') AS raw_query,
    multiIf(
        is_beacon, if(JSONType(p, 'referrer') = 'String', cut_text(JSONExtractString(p, 'referrer'), 2048), ''),
        is_json_line, if(json_str(json_doc, 'http_referer') != '', json_str(json_doc, 'http_referer'), json_str(json_doc, 'referer')),
        cg[7] IN ('', '-'), '', unescape_log_field(cg[7])) AS raw_referrer,
    multiIf(
        is_beacon, first_language(if(JSONType(headers, 'acceptLanguage') = 'String', JSONExtractString(headers, 'acceptLanguage'), '')),
        is_json_line, first_language(if(json_str(json_doc, 'http_accept_language') != '', json_str(json_doc, 'http_accept_language'), json_str(json_doc, 'accept_language'))),
        '') AS raw_language,
    if(is_beacon AND beacon_type = 'event', cut_text(beacon_name, 200), '') AS raw_event_name,
    if(is_beacon AND has_props, arrayMap(kv -> cut_text(kv.1, 100), prop_kept), []) AS raw_prop_keys,
    if(is_beacon AND has_props, arrayMap(kv -> cut_text(js_string_of_raw(kv.2), 500), prop_kept), []) AS raw_prop_values,
    -- event-text.ts: cleaned, then the client's address replaced wherever else it stands.
    arrayMap(s -> clean_text(s), arrayConcat([raw_event_name, raw_user_agent, raw_host, raw_method, raw_path, raw_query, raw_referrer, raw_language], raw_prop_keys, raw_prop_values)) AS cleaned,
    client_address(ev_client) AS cip,
    client_v4(ev_client) AS cv4,
    if(ev_client = '' OR cip IS NULL, cleaned, arrayMap(s -> replace_address(s, cip, cv4), cleaned)) AS texts
SELECT
    seq,
    position,
    offset,
    if(reason = '', 'event', 'dead_letter') AS outcome,
    reason,
    detail,
    JSONExtractString(v, 'site') AS site,
    if(reason = '', ev_ts, 0) AS ts,
    if(is_beacon, 'beacon', 'log') AS source,
    if(is_beacon, beacon_type, 'request') AS event_type,
    texts[1] AS event_name,
    is_beacon AND beacon_type = 'pageview' AS is_pageview,
    ev_client AS client,
    texts[2] AS user_agent,
    texts[3] AS host,
    texts[4] AS method,
    texts[5] AS path,
    texts[6] AS query,
    toUInt16(multiIf(is_beacon, 0, is_json_line, json_status, toUInt16OrZero(cg[4]))) AS status,
    toUInt64(multiIf(is_beacon, 0, is_json_line, clamp_int(json_num(json_str(json_doc, 'body_bytes_sent')), 9007199254740991),
        cg[5] = '-', 0, clamp_int(toFloat64OrZero(cg[5]), 9007199254740991))) AS bytes,
    toUInt32(if(is_json_line AND NOT is_beacon, clamp_int(json_num(json_str(json_doc, 'request_time')) * 1000, 4294967295), 0)) AS request_time_ms,
    toUInt32(if(is_json_line AND NOT is_beacon, clamp_int(json_num(json_str(json_doc, 'upstream_response_time')) * 1000, 4294967295), 0)) AS upstream_time_ms,
    is_json_line AND NOT is_beacon AND json_str(json_doc, 'request_time') != '' AS timed,
    texts[7] AS referrer,
    texts[8] AS language,
    toUInt32(if(is_beacon AND JSONType(p, 'w') IN ('Int64', 'UInt64', 'Double'), clamp_int(JSONExtractFloat(p, 'w'), 65535), 0)) AS screen_width,
    toUInt32(if(is_beacon AND JSONType(p, 'engaged_ms') IN ('Int64', 'UInt64', 'Double'), clamp_int(JSONExtractFloat(p, 'engaged_ms'), 86400000), 0)) AS engaged_ms,
    arraySlice(texts, 9, length(raw_prop_keys)) AS prop_keys,
    arraySlice(texts, 9 + length(raw_prop_keys), length(raw_prop_keys)) AS prop_values
FROM {stage:Identifier}
ORDER BY seq
-- RapidJSON, not simdjson: simdjson refuses a document with an integer beyond 64 bits (a beacon's 2^64, which
-- JSON.parse reads as a double) and one nested more than 1,024 levels; JSON.parse takes both.
SETTINGS allow_simdjson = 0
