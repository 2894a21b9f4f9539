    -- The visitor's address kept out of other fields (processor/parsers/event-text.ts, common/address-text.ts):
    -- every run of address characters (hex, ".", ":", %3A) that starts after no word character, ".", ":" or "%"
    -- (but may start after another percent-encoded byte) and ends before no word character is read as an
    -- address and compared with the client's by value; the part that writes the client's becomes "[ip]".
    x -> if(isIPv6String(x), toIPv6OrNull(x), NULL) AS address_value,
    (core, cip, cv4) -> multiIf(
        address_value(core) = cip, length(core),
        match(core, '[^:]:$') AND address_value(substring(core, 1, length(core) - 1)) = cip, length(core) - 1,
        cv4 != '' AND extractGroups(core, '^(.*?)([0-9]{1,3}(?:\\.[0-9]{1,3}){3})(:[0-9]{0,5})?$')[2] = cv4
            AND (extractGroups(core, '^(.*?)([0-9]{1,3}(?:\\.[0-9]{1,3}){3})(:[0-9]{0,5})?$')[1] = ''
                OR address_value(concat(extractGroups(core, '^(.*?)([0-9]{1,3}(?:\\.[0-9]{1,3}){3})(:[0-9]{0,5})?$')[1], cv4)) = cip),
            length(extractGroups(core, '^(.*?)([0-9]{1,3}(?:\\.[0-9]{1,3}){3})(:[0-9]{0,5})?$')[1]) + length(cv4),
        0) AS measure_address,
    (run, cip, cv4) -> measure_address(
        if(endsWith(replaceRegexpAll(run, '%3[Aa]', ':'), '.'), substring(replaceRegexpAll(run, '%3[Aa]', ':'), 1, length(replaceRegexpAll(run, '%3[Aa]', ':')) - 1), replaceRegexpAll(run, '%3[Aa]', ':')),
        cip, cv4) AS measure_run,
    (run, n) -> arraySum(arraySlice(arrayMap(p -> length(p), extractAll(run, '%3[Aa]|.')), 1, n)) AS written_length,
    (t, cip, cv4) -> if(cip IS NULL OR NOT match(t, '[0-9A-Fa-f]'), t, arrayStringConcat(arrayMap(
        (tok, i, prev, next) -> if(
            match(tok, '^(?:%3[Aa]|[0-9A-Fa-f.:])+$')
                AND (i = 1 OR match(prev, '^%[0-9A-Fa-f]{2}$') OR NOT match(prev, '[A-Za-z0-9_.:%]$'))
                AND NOT match(next, '^[A-Za-z0-9_]')
                AND (position(replaceRegexpAll(tok, '%3[Aa]', ':'), ':') > 0 OR length(splitByChar('.', tok)) >= 4)
                AND measure_run(tok, cip, cv4) > 0,
            concat('[ip]', substring(tok, written_length(tok, measure_run(tok, cip, cv4)) + 1)),
            tok),
        extractAll(t, '(?:%3[Aa]|[0-9A-Fa-f.:])+|%[0-9A-Fa-f]{2}|%|[^0-9A-Fa-f.:%]+') AS toks,
        arrayEnumerate(toks),
        arrayPushFront(arrayPopBack(toks), ''),
        arrayPushBack(arrayPopFront(toks), '')))) AS replace_address,
    -- The client as an address (an IPv4 one as IPv4-mapped, RFC 4291 §2.5.5.2; an IPv6 zone is not part of it).
    c -> multiIf(isIPv4String(c), toIPv6OrNull(c), isIPv6String(replaceRegexpOne(c, '%.*$', '')), toIPv6OrNull(replaceRegexpOne(c, '%.*$', '')), NULL) AS client_address,
    c -> multiIf(isIPv4String(c), c,
        startsWith(IPv6NumToString(assumeNotNull(client_address(c))), '::ffff:') AND isIPv4String(substring(IPv6NumToString(assumeNotNull(client_address(c))), 8)),
            substring(IPv6NumToString(assumeNotNull(client_address(c))), 8), '') AS client_v4,
