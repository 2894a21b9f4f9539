-- numbers.ts isPlausibleTime, with `now` taken before the JavaScript's Date.now(): a time plausible here is
-- plausible there. The visitor's address in another field (parsers/event-text.ts, common/address-text.ts): only
-- a client that is an IPv4 address (a pseudonym is none) or has a colon can be found elsewhere, and only where a
-- field holds the IPv4 text itself or anything an IPv6 address is written with ("::" or a colon between hex
-- digits, either colon maybe %3A); an IPv4-mapped client (its "ffff", or a dot) could be written either way.
-- Such lines fall back, and the JavaScript masks what is there.
WHERE isFinite(ts) AND ts >= 631152000000 AND ts <= greatest(received_at, {now:Float64}) + 86400000
    AND (NOT (position(client, ':') > 0 AS v6_client OR match(client, '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$'))
        OR (NOT (v6_client AND (positionCaseInsensitive(client, 'ffff') > 0 OR position(client, '.') > 0))
            AND NOT match(concat(user_agent, '\n', host, '\n', method, '\n', target, '\n', referrer, '\n', language) AS texts,
                '[0-9A-Fa-f](?::|%3[Aa])[0-9A-Fa-f]|(?::|%3[Aa])(?::|%3[Aa])')
            AND (v6_client OR position(texts, client) = 0)))
