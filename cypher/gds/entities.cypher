// The entities with the ids in $ids, as the analyses name them (the ends of a path, for the gds engine).
MATCH (n:Entity)
WHERE n.id IN $ids
RETURN n.id AS id, n.type AS type, coalesce(n.name, n.id) AS name, n.name_zh AS name_zh
