-- What the migrator checks before it changes anything (clickhouse/layout-check.ts):
-- the engine of schema_migrations if the database has been migrated (NULL if not),
-- the shards of the cluster named by CLICKHOUSE_CLUSTER as this server's
-- remote_servers define it, and the macros its Replicated tables' Keeper paths use.
SELECT
    (SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = 'schema_migrations') AS migrations_engine,
    (SELECT count(DISTINCT shard_num) FROM system.clusters WHERE cluster = {cluster:String}) AS shards,
    (SELECT groupArray(macro) FROM system.macros) AS macros
