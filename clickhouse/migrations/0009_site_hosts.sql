-- Host names a site is reached under, learned by the processors from the
-- Host of JSON access logs ($host) and the URL of beacon hits: a referral
-- from any of them is internal (processor/steps/classify-referrer.ts), so a
-- site's own pages never show as its top referrer, whatever the site is
-- called in Scalehouse. Shared by every processor; one row per host.
CREATE TABLE IF NOT EXISTS site_hosts
(
    site        LowCardinality(String),
    host        String,
    first_seen  DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree
ORDER BY (site, host)
SETTINGS non_replicated_deduplication_window = 1000;
