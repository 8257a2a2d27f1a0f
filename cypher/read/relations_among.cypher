// The relations between some entities, with their properties (the induced subgraph on those ids).
MATCH (a:Entity)-[r]->(b:Entity)
WHERE a.id IN $ids AND b.id IN $ids
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
