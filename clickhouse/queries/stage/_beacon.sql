    -- Beacon payloads (processor/parsers/beacon.ts). String(value) of a JSON value: what a template literal or
    -- String() makes of it (an array's elements joined, one level deep).
    r -> multiIf(
        startsWith(r, '"'), JSONExtractString(concat('[', r, ']'), 1),
        match(r, '^-?[0-9]'), js_number_text(toFloat64OrZero(r)),
        r IN ('true', 'false', 'null'), r,
        startsWith(r, '{'), '[object Object]',
        startsWith(r, '['), arrayStringConcat(arrayMap(
            e -> multiIf(e = 'null', '', startsWith(e, '"'), JSONExtractString(concat('[', e, ']'), 1),
                match(e, '^-?[0-9]'), js_number_text(toFloat64OrZero(e)), startsWith(e, '{'), '[object Object]',
                startsWith(e, '['), '', e),
            JSONExtractArrayRaw(r)), ','),
        'undefined') AS js_string_of_raw,
    -- new URL(text) (WHATWG URL Standard), for what beacons send: the scheme; for special schemes the host
    -- (ASCII lower case, port checked) and the path, query and fragment percent-encoded by their sets.
    -- Not followed: IDNA for hosts beyond ASCII, IPv4 numbers in other forms (0x7f.1), IPv6 hosts' compression,
    -- "." and ".." segments.
    (s, keep) -> arrayStringConcat(arrayMap(
        c -> if(match(c, keep), c, arrayStringConcat(arrayMap(b -> concat('%', hex(b)), splitByString('', c)))),
        extractAll(s, '(?s).'))) AS percent_encode,
    replaceRegexpAll(replaceRegexpAll(beacon_url, '^[\\x00-\\x20]+|[\\x00-\\x20]+$', ''), '[\\t\\n\\r]', '') AS url_text,
    lower(extract(url_text, '^([a-zA-Z][a-zA-Z0-9+.-]*):')) AS url_scheme,
    url_scheme IN ('http', 'https', 'ws', 'wss', 'ftp') AS url_special,
    substring(url_text, length(url_scheme) + 2) AS url_rest,
    if(url_special, replaceRegexpOne(url_rest, '^[/\\\\]*', ''), if(startsWith(url_rest, '//'), substring(url_rest, 3), '')) AS url_after_slashes,
    if(url_special OR startsWith(url_rest, '//'), extract(url_after_slashes, '^[^/\\\\?#]*'), '') AS url_authority,
    replaceRegexpOne(url_authority, '^.*@', '') AS url_host_port,
    extract(url_host_port, '^(\\[[^\\]]*\\]|[^:]*)') AS url_host_raw,
    substring(url_host_port, length(url_host_raw) + 1) AS url_port_part,
    if(url_special OR startsWith(url_rest, '//'), substring(url_after_slashes, length(url_authority) + 1), url_rest) AS url_tail,
    url_scheme != ''
        AND (NOT url_special OR (url_host_raw != ''
            AND (startsWith(url_host_raw, '[') OR NOT match(decodeURLComponent(url_host_raw), '[\\x00-\\x20#%/:<>?@\\\\^|\\x7F\\[\\]]'))))
        AND (url_port_part = '' OR (match(url_port_part, '^:[0-9]*$') AND toUInt64OrZero(substring(url_port_part, 2)) <= 65535)) AS url_valid,
    if(url_special, lower(decodeURLComponent(url_host_raw)), url_host_raw) AS url_hostname,
    if(url_special,
        if(extract(url_tail, '^[^?#]*') = '', '/',
            percent_encode(replaceAll(extract(url_tail, '^[^?#]*'), '\\', '/'), '^[\\x21\\x24-\\x3B\\x3D\\x40-\\x5F\\x61-\\x7A\\x7C\\x7E]$')),
        percent_encode(extract(url_tail, '^[^?#]*'), '^[\\x20-\\x7E]$')) AS url_pathname,
    percent_encode(extract(url_tail, '^[^?#]*\\?([^#]*)'), if(url_special, '^[\\x21\\x24-\\x26\\x28-\\x3B\\x3D\\x3F-\\x7E]$', '^[\\x21\\x24-\\x3B\\x3D\\x3F-\\x7E]$')) AS url_query,
    if(extract(url_tail, '#(.*)$') = '', '', concat('#', percent_encode(extract(url_tail, '#((?s).*)$'), '^[\\x21\\x23-\\x3B\\x3D\\x3F-\\x5F\\x61-\\x7E]$'))) AS url_hash,
