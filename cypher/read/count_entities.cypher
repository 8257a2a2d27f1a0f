// Entities per type.
MATCH (n:Entity)
RETURN n.type AS type, count(n) AS count
ORDER BY type
