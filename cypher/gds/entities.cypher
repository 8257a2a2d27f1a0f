// The entities with the ids in $ids: id and name (the ends of a path).
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id, coalesce(n.name, n.id) AS name
