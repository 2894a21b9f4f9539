-- Whether a batch's moves were made (its mark, written right after them): a batch done again moves nothing twice.
SELECT count() AS n
FROM moved_batches
WHERE batch = {batch:String}
