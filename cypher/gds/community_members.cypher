// Every node of the undirected in-memory graph $name with its community (node property $property, from
// gds/louvain or gds/leiden) and its degree inside the community (its neighbours in the same community).
CALL gds.graph.relationships.stream($name) YIELD sourceNodeId, targetNodeId
WITH sourceNodeId, gds.util.nodeProperty($name, sourceNodeId, $property) AS community,
     gds.util.nodeProperty($name, targetNodeId, $property) AS other
WITH sourceNodeId, community, sum(CASE WHEN other = community THEN 1 ELSE 0 END) AS degree
WITH gds.util.asNode(sourceNodeId) AS n, community, degree
RETURN community, n.id AS id, n.type AS type, coalesce(n.name, n.id) AS name, n.name_zh AS name_zh, degree
