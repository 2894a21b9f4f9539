-- The normalised events with their referrer's host and path: worked out here for a plain URL,
-- else taken from what JavaScript's `new URL()` made of the referrer ({ref_urls} → {ref_hosts},
-- {ref_paths}, processor/stage/referrers.ts); and their UTM values, cleaned as normalise.ts
-- cleans them — ASCII here (cut to 200, lowercased, controls made U+FFFD), the rest from
-- JavaScript ({utm_raws} → {utm_values}, processor/stage/utm-values.ts).
SELECT
    *,
    multiIf(referrer = '', '', referrer_odd, transform(referrer, {ref_urls:Array(String)}, {ref_hosts:Array(String)}, ''),
        replaceRegexpOne(referrer_hostname, '^www\\.', '')) AS referrer_host,
    multiIf(referrer = '', '', referrer_odd, transform(referrer, {ref_urls:Array(String)}, {ref_paths:Array(String)}, ''),
        if(referrer_plain_path = '', '/', referrer_plain_path)) AS referrer_path,
    if(utm_source_odd, transform(utm_source_raw, {utm_raws:Array(String)}, {utm_values:Array(String)}, ''),
        replaceRegexpAll(left(lower(decodeURLFormComponent(utm_source_raw)), 200), '[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]', '\xEF\xBF\xBD')) AS utm_source,
    if(utm_medium_odd, transform(utm_medium_raw, {utm_raws:Array(String)}, {utm_values:Array(String)}, ''),
        replaceRegexpAll(left(lower(decodeURLFormComponent(utm_medium_raw)), 200), '[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]', '\xEF\xBF\xBD')) AS utm_medium,
    if(utm_campaign_odd, transform(utm_campaign_raw, {utm_raws:Array(String)}, {utm_values:Array(String)}, ''),
        replaceRegexpAll(left(lower(decodeURLFormComponent(utm_campaign_raw)), 200), '[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]', '\xEF\xBF\xBD')) AS utm_campaign,
    if(utm_content_odd, transform(utm_content_raw, {utm_raws:Array(String)}, {utm_values:Array(String)}, ''),
        replaceRegexpAll(left(lower(decodeURLFormComponent(utm_content_raw)), 200), '[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]', '\xEF\xBF\xBD')) AS utm_content,
    if(utm_term_odd, transform(utm_term_raw, {utm_raws:Array(String)}, {utm_values:Array(String)}, ''),
        replaceRegexpAll(left(lower(decodeURLFormComponent(utm_term_raw)), 200), '[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]', '\xEF\xBF\xBD')) AS utm_term
FROM (
-- @enrich-normalised
)
