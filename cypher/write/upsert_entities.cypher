// Upsert a batch of entities of one type. $rows: [{id, props}]; props holds every property, so a
// reload replaces what a node had and re-running changes nothing. __LABEL__ comes from EntityType.
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n = row.props
SET n:__LABEL__
