// Upsert a batch of entities of one type. $rows: [{id, props}]; props holds every property, so a
// reload replaces what a node had and re-running changes nothing. __LABEL__ comes from EntityType.
// Both labels sit in the MERGE pattern: adding a label with SET afterwards costs FalkorDB about 1 ms a
// node (20x the rest). The store refuses a load that would change an entity's type (Store._check_types).
// Unchanged nodes are not written again: rewriting them would re-index every one (a re-import's main cost).
UNWIND $rows AS row
MERGE (n:Entity:__LABEL__ {id: row.id})
WITH n, row
WHERE properties(n) <> row.props
SET n = row.props
