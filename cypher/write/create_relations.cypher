// Fast path for an empty store: create a batch of relations of one type.
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
CREATE (a)-[r:__TYPE__]->(b)
SET r = row.props
