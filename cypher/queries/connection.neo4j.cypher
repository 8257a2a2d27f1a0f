// name: connection
// description: How two entities are connected: a shortest path over any relations, with their types.
// param from: id of the first entity
// param to: id of the second entity
// example: from=univ:wuhan-university to=cn-420000
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = shortestPath((a)-[*..8]-(b))
RETURN length(p) AS hops, [n IN nodes(p) | n.name] AS names, [n IN nodes(p) | n.id] AS ids,
       [r IN relationships(p) | type(r)] AS relations
