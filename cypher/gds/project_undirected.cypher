// Projects an undirected in-memory graph (named $name) of the entities joined by relations of the types in
// $relations (null: every type). Each pair of distinct entities becomes one relationship whose weight is
// the number of relations between them (either direction); self-relations are left out. $all adds every
// entity as a node (isolated ones too), $ids adds those entities (the ends of a path).
// Changes no data: the graph lives in GDS's in-memory catalog until gds/drop removes it.
// Returns the projection's node count and the number of joined pairs.
CALL () {
  MATCH (s:Entity)-[r]-(t:Entity)
  WHERE ($relations IS NULL OR type(r) IN $relations) AND s.id < t.id
  RETURN s, t, count(r) AS w
  UNION
  MATCH (s:Entity)
  WHERE $all OR s.id IN $ids
  RETURN s, null AS t, 0 AS w
}
WITH gds.graph.project(
  $name, s, t, {relationshipProperties: {weight: toFloat(w)}}, {undirectedRelationshipTypes: ['*']}
) AS g, count(t) AS pairs
RETURN g.nodeCount AS nodes, pairs
