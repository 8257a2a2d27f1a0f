// Upsert a batch of PART_OF_CHAIN links. Two sectors may be linked in several chains, so the chain's
// name is part of the relation's identity. $rows: [{source, target, chain, props}].
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:PART_OF_CHAIN {chain: row.chain}]->(b)
WITH r, row
WHERE properties(r) <> row.props
SET r = row.props
