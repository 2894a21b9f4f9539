-- What JavaScript must work out for a batch before enrich.sql can run, once per distinct value:
-- user agents and the hosts of plain referrers the dictionaries do not know yet (their verdicts
-- and channels are JavaScript's, processor/stage/user-agents.ts and referrers.ts), referrers too
-- odd for the engine's rules (_enrich-normalised.sql), queries with UTM tags, addresses whose country is
-- to be looked up (never stored: their countries come back as parameters of enrich.sql), and
-- the batch's days and sites (their salts and own hosts come back so too). One pass over the
-- batch: each event names what it needs, the distinct needs are kept.
SELECT need.1 AS kind, need.2 AS value
FROM (
    SELECT DISTINCT arrayJoin(arrayConcat(
        [('day', toString(day)), ('site', site)],
        if(dictHas('user_agent_values', tuple(user_agent)), [], [('user_agent', user_agent)]),
        if(referrer_odd, [('referrer', referrer)],
            if(referrer_plain_host = '' OR dictHas('referrer_host_values', tuple(referrer_plain_host)), [],
                [('referrer_host', referrer_plain_host)])),
        if(position(query, 'utm_') = 0, [], [('utm_query', query)]),
        if(country_to_look_up, [('address', client)], [])
    )) AS need
    FROM (
-- @enrich-normalised
    )
)
