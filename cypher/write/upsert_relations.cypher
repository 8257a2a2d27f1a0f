// Upsert a batch of relations of one type. $rows: [{source, target, props}]. __TYPE__ comes from RelType.
// An unchanged relation is not written again.
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:__TYPE__]->(b)
WITH r, row
WHERE properties(r) <> row.props
SET r = row.props
