// Every entity with its properties, in id order (for export).
MATCH (n:Entity)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY id
