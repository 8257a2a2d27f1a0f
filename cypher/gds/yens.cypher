// The $k shortest paths from entity $from to entity $to in the undirected in-memory graph $name (Yen's
// algorithm, every link costing 1), shortest first; per path its entities and, per link (i = 0, 1, ...),
// the relations between the two entities of the types in $relations (null: every type), each as
// [type, points along the path].
MATCH (a:Entity {id: $from})
MATCH (b:Entity {id: $to})
CALL gds.shortestPath.yens.stream($name, {sourceNode: a, targetNode: b, k: $k}) YIELD index, nodeIds
WITH index, gds.util.asNodes(nodeIds) AS ns
UNWIND range(0, size(ns) - 2) AS i
WITH index, ns, i, ns[i] AS u, ns[i + 1] AS v
MATCH (u)-[r]-(v)
WHERE $relations IS NULL OR type(r) IN $relations
WITH index, ns, i, collect([type(r), startNode(r) = u]) AS relations
RETURN index, [n IN ns | n.id] AS ids, [n IN ns | coalesce(n.name, n.id)] AS names, collect([i, relations]) AS steps
ORDER BY index
