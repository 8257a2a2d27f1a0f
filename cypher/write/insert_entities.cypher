// Write a batch of entities of one type whose ids the store did not hold when the load was checked
// (FalkorDB's merge path). $rows: [{id, props}]. __LABEL__ comes from EntityType.
// A lookup and a create cost FalkorDB about two thirds of its MERGE (bench/RESULTS.md). FalkorDB runs write
// queries one at a time, so the lookup and the create are one atomic step: a row whose id another writer
// created since the check is skipped here, and the store then runs the batch again as the upsert.
UNWIND $rows AS row
OPTIONAL MATCH (n:Entity {id: row.id})
WITH row, n
WHERE n IS NULL
CREATE (m:Entity:__LABEL__)
SET m = row.props
