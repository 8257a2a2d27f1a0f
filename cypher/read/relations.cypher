// Every relation between entities with its properties (for export).
MATCH (a:Entity)-[r]->(b:Entity)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
ORDER BY source, type, target
