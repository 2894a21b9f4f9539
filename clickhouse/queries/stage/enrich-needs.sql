-- What JavaScript must work out for a batch before enrich.sql can run, once per distinct value:
-- user agents user_agents does not know yet, referrers and UTM values too odd for the engine's
-- rules (_enrich-normalised.sql), addresses whose country is to be looked up (never stored:
-- their countries come back as parameters of enrich.sql), and days without a kept salt.
WITH n AS (
-- @enrich-normalised
)
SELECT 'user_agent' AS kind, user_agent AS value
FROM (SELECT DISTINCT user_agent FROM n)
WHERE user_agent NOT IN (SELECT user_agent FROM user_agents WHERE user_agent IN (SELECT user_agent FROM {stage:Identifier}))
UNION ALL
SELECT DISTINCT 'referrer', referrer FROM n WHERE referrer_odd
UNION ALL
SELECT DISTINCT 'utm', arrayJoin(arrayFilter((raw, odd) -> odd,
    [utm_source_raw, utm_medium_raw, utm_campaign_raw, utm_content_raw, utm_term_raw],
    [utm_source_odd, utm_medium_odd, utm_campaign_odd, utm_content_odd, utm_term_odd])) FROM n
UNION ALL
SELECT DISTINCT 'address', client FROM n WHERE country_to_look_up
UNION ALL
SELECT DISTINCT 'day', toString(day) FROM n
WHERE day NOT IN (SELECT day FROM visitor_salts WHERE day >= {oldest:Date})
