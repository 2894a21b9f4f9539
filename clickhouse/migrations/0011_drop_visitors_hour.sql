-- Unique visitors are the distinct visitors of visits (docs/metrics.md), read
-- exactly from sessions; the hourly sets of every hit's visitor and session
-- ids answered a different question, and nothing reads them any more. Every
-- insert into events paid for them.
DROP VIEW IF EXISTS visitors_hour_from_events;

DROP TABLE IF EXISTS visitors_hour;
