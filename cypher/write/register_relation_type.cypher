// FalkorDB: make a relation type known before any load's statement names it. An edge of the type is made
// between two new nodes and deleted in the same statement, so only the type stays, in the schema.
// Why: FalkorDB plans a statement against the schema it knows when the statement arrives. Two MERGEs of a
// type it does not know yet, both planned before either ran, each create the relation (two concurrent
// loads of 50 LOCATED_IN links wrote 100). Labels are made known by the indexes. __TYPE__ comes from RelType.
CREATE (a:Entity)-[:__TYPE__]->(b:Entity)
DETACH DELETE a, b
