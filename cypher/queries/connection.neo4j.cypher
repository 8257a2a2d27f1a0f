// name: connection
// description: How two entities are connected: a shortest path over any relations, with their types.
// param from: id of the first entity
// param to: id of the second entity
// example: from=univ:wuhan-university to=cn-420000
// An entity is connected to itself by the path of no hops (Neo4j's shortestPath refuses one node
// as both ends, so that case is answered on its own, the same way in both dialects). Of several shortest
// paths, the first by ids then relation types: the answer must not depend on how the store numbers nodes.
MATCH (a:Entity {id: $from})
WHERE $from = $to
RETURN 0 AS hops, [a.name] AS names, [a.id] AS ids, [] AS relations
UNION ALL
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
WHERE a <> b
MATCH p = allShortestPaths((a)-[*..8]-(b))
WITH p, [n IN nodes(p) | n.id] AS ids, [r IN relationships(p) | type(r)] AS relations
ORDER BY reduce(k = '', i IN ids | k + i + ' ') + reduce(k = '', t IN relations | k + t + ' ')
LIMIT 1
RETURN length(p) AS hops, [n IN nodes(p) | n.name] AS names, ids, relations
