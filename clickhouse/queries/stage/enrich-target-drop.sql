-- The batch's enriched events go with the batch, as its staging table does.
DROP TABLE IF EXISTS {target:Identifier}
