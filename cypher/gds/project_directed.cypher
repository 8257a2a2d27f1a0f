// Projects a directed in-memory graph (named $name) of every entity (isolated ones too) and one
// relationship per ordered pair of entities joined by any relation (parallel relations count once).
// Changes no data: the graph lives in GDS's in-memory catalog until gds/drop removes it.
// Returns the projection's node count and the number of relations it was made from.
MATCH (s:Entity)
OPTIONAL MATCH (s)-[r]->(t:Entity)
WITH s, t, count(r) AS relations
WITH gds.graph.project($name, s, t) AS g, sum(relations) AS relations
RETURN g.nodeCount AS nodes, relations
