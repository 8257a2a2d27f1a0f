// Upsert a batch of relations of one type. $rows: [{source, target, props}]. __TYPE__ comes from RelType.
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:__TYPE__]->(b)
SET r = row.props
