// Some entities with their properties (a subgraph for a picture).
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
