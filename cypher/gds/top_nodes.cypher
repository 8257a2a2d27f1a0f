// The $limit nodes of the in-memory graph $name with the highest value of the node property $property
// (written by a gds.*.mutate call), highest first, ties by id, with the sum of the property over all nodes.
CALL gds.graph.nodeProperty.stream($name, $property) YIELD propertyValue
WITH sum(propertyValue) AS total
CALL gds.graph.nodeProperty.stream($name, $property) YIELD nodeId, propertyValue
WITH total, gds.util.asNode(nodeId) AS n, propertyValue AS score
ORDER BY score DESC, n.id
LIMIT $limit
RETURN n.id AS id, n.type AS type, coalesce(n.name, n.id) AS name, n.name_zh AS name_zh, score, total
