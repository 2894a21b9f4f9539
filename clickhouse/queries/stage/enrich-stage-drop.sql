-- The batch's staging table goes with the batch: no address outlives it.
DROP TABLE IF EXISTS {stage:Identifier}
