-- What JavaScript must work out for a batch before enrich.sql can run, once per distinct value:
-- user agents user_agents does not know yet, referrers and UTM values too odd for the engine's
-- rules (_enrich-normalised.sql), addresses whose country is to be looked up (never stored:
-- their countries come back as parameters of enrich.sql), and days without a kept salt. One
-- pass over the batch: each event names what it needs, the distinct needs are kept.
SELECT need.1 AS kind, need.2 AS value
FROM (
    SELECT DISTINCT arrayJoin(arrayConcat(
        [('user_agent', user_agent), ('day', toString(day))],
        if(referrer_odd, [('referrer', referrer)], []),
        arrayMap(raw -> ('utm', raw), arrayFilter((raw, odd) -> odd,
            [utm_source_raw, utm_medium_raw, utm_campaign_raw, utm_content_raw, utm_term_raw], utm_odds)),
        if(country_to_look_up, [('address', client)], [])
    )) AS need
    FROM (
-- @enrich-normalised
    )
)
WHERE NOT (kind = 'user_agent'
        AND value IN (SELECT user_agent FROM user_agents WHERE user_agent IN (SELECT user_agent FROM {stage:Identifier})))
    AND NOT (kind = 'day' AND value IN (SELECT toString(day) FROM visitor_salts WHERE day >= {oldest:Date}))
